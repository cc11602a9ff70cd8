import MimamoriService
import ServiceLifecycle

/// Tells systemd `READY=1` (with a `STATUS=` line) as a member of the daemon's service group, and
/// is done. The group starts its services only after it trapped SIGTERM and SIGINT, so from READY
/// on a stop request is always a graceful shutdown. (Run it with `successTerminationBehavior:
/// .ignore`: its return must not end the group.)
struct ReadyNotification: Service {
    let notifier: SystemdNotifier
    let status: String

    func run() async throws {
        notifier.ready(status: status)
    }
}

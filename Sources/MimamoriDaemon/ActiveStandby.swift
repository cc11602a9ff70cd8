import Foundation
import Ledger
import Logging
import MimamoriService
import Prometheus
import ServiceLifecycle
import Synchronization

/// Two daemons on one PostgreSQL ledger, the active one and its standby: only the holder of
/// the ledger's lease (`ActiveLease`) consumes the queue, claims deliveries and runs the
/// housekeeping. The standby waits with `/healthz` answering `standby`, and takes over once the
/// lease has expired: a killed or cut-off active daemon stops renewing it, and its unacked
/// messages go back to the queue when its broker connection drops. A daemon that loses its
/// lease stops (exit 75) and systemd brings it back as the standby.
enum ActiveStandby {
    /// How long a lease lasts unrenewed: the most a takeover waits for a silent active daemon.
    static let lease: Duration = .seconds(3)
    /// How often the active daemon renews, and the standby asks.
    static let renewal: Duration = .seconds(1)
    static let standbyPoll: Duration = .milliseconds(250)

    /// This daemon's name on the lease: the host, the process and a random tag (a restarted
    /// process with the same pid is another owner).
    static func owner() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)/\(getpid())/\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    struct LeaseLost: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits until this daemon holds the lease (returns true), or until it is asked to stop
    /// while standing by (false). Meanwhile systemd hears READY=1 with a standby status and its
    /// watchdog pings, and `metrics.listen` answers `/healthz` 503 `standby: …`.
    static func waitForLease(
        _ lease: any ActiveLease, owner: String, listen: String, registry: PrometheusCollectorRegistry, notifier: SystemdNotifier,
        logger: Logger
    ) async throws -> Bool {
        let holder = StandbyState()
        let wait = StandbyWait(lease: lease, owner: owner, notifier: notifier, state: holder, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: wait, successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let endpoint = try Daemon.standbyEndpoint(listen, registry: registry, state: holder) {
            services.append(.init(service: endpoint))
        }
        try await ServiceGroup(configuration: Daemon.groupConfiguration(services)).run()
        return holder.snapshot.active
    }
}

/// What the standby knows, for its `/healthz`.
final class StandbyState: Sendable {
    struct Snapshot: Sendable {
        var active = false
        var holder: String?
        var ledgerError: String?
    }
    private let state = Mutex(Snapshot())
    var snapshot: Snapshot { state.withLock { $0 } }
    func update(_ change: (inout Snapshot) -> Void) { state.withLock { change(&$0) } }

    var health: HealthReport {
        var report = HealthReport()
        let now = snapshot
        if let error = now.ledgerError {
            report.unavailable("standby: the ledger cannot be asked for the lease (\(error))")
        } else {
            report.unavailable("standby: \(now.holder ?? "another daemon") holds the active lease; see lease.standby")
        }
        return report
    }
}

/// The standby's loop: asks for the lease until it gets it or the daemon is stopped.
struct StandbyWait: Service {
    let lease: any ActiveLease
    let owner: String
    let notifier: SystemdNotifier
    let state: StandbyState
    let logger: Logger

    func run() async throws {
        var announced: String?
        var lastPing = ContinuousClock.now
        while !Task.isShuttingDownGracefully {
            do throws(LedgerError) {
                switch try await lease.takeLease(owner: owner, for: ActiveStandby.lease) {
                case .held:
                    state.update { $0.active = true }
                    logger.notice("lease.active", metadata: .keys([.owner: .string(owner)]))
                    return
                case .heldBy(let holder, _):
                    state.update {
                        $0.holder = holder
                        $0.ledgerError = nil
                    }
                    if announced != holder {
                        logger.notice(
                            "lease.standby",
                            metadata: .keys([
                                .owner: .string(owner), .active: .string(holder),
                                .reason: "another daemon holds the ledger's active lease; this one takes over when it lapses",
                            ]))
                        notifier.ready(status: "standby: \(holder) is active")
                        announced = holder
                    }
                }
            } catch {
                // Said once per cause, not at every look.
                if state.snapshot.ledgerError != "\(error.code)" {
                    logger.warning(
                        "lease.unreachable", metadata: .keys([.code: .string("\(error.code)"), .reason: .string(error.operatorHint)]))
                }
                state.update { $0.ledgerError = "\(error.code)" }
            }
            if ContinuousClock.now - lastPing >= .seconds(5) {
                notifier.watchdog()
                lastPing = ContinuousClock.now
            }
            try? await Task.sleep(for: ActiveStandby.standbyPoll)
        }
    }
}

/// The active daemon's renewal of its lease, first in the service group so that it stops last:
/// a graceful stop gives the lease up once intake and dispatch have drained, and the standby
/// takes over at once.
struct LeaseKeeper: Service {
    let lease: any ActiveLease
    let owner: String
    let logger: Logger

    func run() async throws {
        var lastHeld = ContinuousClock.now
        while !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: ActiveStandby.renewal)
            if Task.isShuttingDownGracefully { break }
            let state: LeaseState
            do throws(LedgerError) {
                state = try await lease.takeLease(owner: owner, for: ActiveStandby.lease)
            } catch {
                // Its claims are refused once the lease lapses; stop before that.
                if ContinuousClock.now - lastHeld >= ActiveStandby.lease - ActiveStandby.renewal {
                    logger.critical(
                        "lease.lost",
                        metadata: .keys([
                            .owner: .string(owner), .code: .string("\(error.code)"),
                            .reason: .string("the lease could not be renewed in time (\(error.operatorHint)); this daemon stops"),
                        ]))
                    throw ActiveStandby.LeaseLost(description: "the active lease could not be renewed: \(error.code)")
                }
                logger.warning("lease.renew-failed", metadata: .keys([.code: .string("\(error.code)")]))
                continue
            }
            switch state {
            case .held:
                lastHeld = ContinuousClock.now
            case .heldBy(let holder, _):
                logger.critical(
                    "lease.lost",
                    metadata: .keys([
                        .owner: .string(owner), .active: .string(holder),
                        .reason: "another daemon took the ledger's active lease; this one stops and comes back as the standby",
                    ]))
                throw ActiveStandby.LeaseLost(description: "the active lease went to \(holder)")
            }
        }
        do {
            try await lease.releaseLease(owner: owner)
            logger.info("lease.released", metadata: .keys([.owner: .string(owner)]))
        } catch {
            logger.warning("lease.release-failed", metadata: .keys([.code: .string("\(error.code)")]))
        }
    }
}

extension Daemon {
    /// The standby's `/metrics` and `/healthz` on `metrics.listen`.
    static func standbyEndpoint(_ listen: String, registry: PrometheusCollectorRegistry, state: StandbyState) throws -> MetricsEndpoint? {
        guard let endpoint = try metricsListen(listen) else { return nil }
        return MetricsEndpoint(configuration: endpoint, registry: registry, logger: Logger(label: "mimamori.metrics")) { state.health }
    }
}

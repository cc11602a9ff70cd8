import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Synchronization

/// An outlet that records every job it is given, and can be scripted to be slow or to fail.
final class RecordingOutlet: Outlet {
    enum Script: Sendable {
        /// Fail transiently this many times, then succeed.
        case transient(times: Int)
        /// Fail permanently every time.
        case permanent
        /// Fail transiently every time.
        case alwaysTransient
        /// The server refuses the message itself (554 at the end of DATA), every time.
        case messageRefused
    }

    struct Attempt: Sendable, Hashable {
        var id: DeliveryID
        var recipient: RecipientID
        var attempt: Int
        var idempotencyKey: String
        var kind: NoticeKind
    }

    private struct State {
        var attempts: [Attempt] = []
        var delivered: [DeliveryID: Int] = [:]
        var accepted: [Attempt] = []
        var inFlight = 0
        var maxInFlight = 0
        var failuresSoFar: [RecipientID: Int] = [:]
    }

    let channel: Channel
    let concurrency: Int
    /// Real time each send takes.
    let latency: Duration
    let scripts: [RecipientID: Script]
    private let state = Mutex(State())

    /// While it is down, every send fails as unreachable (a relay that died).
    let server: ServerSwitch?

    init(
        channel: Channel, concurrency: Int, latency: Duration = .zero, scripts: [RecipientID: Script] = [:],
        server: ServerSwitch? = nil
    ) {
        self.channel = channel
        self.concurrency = concurrency
        self.latency = latency
        self.scripts = scripts
        self.server = server
    }

    func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        state.withLock { state in
            state.attempts.append(
                Attempt(
                    id: job.id, recipient: job.recipient, attempt: job.attempt, idempotencyKey: job.idempotencyKey,
                    kind: job.kind))
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        if latency > .zero {
            do { try await Task.sleep(for: latency) } catch { throw .transient(.cancelled, "cancelled") }
        }
        if server?.isDown == true { throw .transient(.unreachable, "connection refused", hint: "check the SMTP server") }
        if server?.isRefusing == true {
            throw .channelFault(
                .reply("smtp", 530), "smtp 530: refused the sender", hint: "check the smtp-password credential", stage: "mail-from")
        }
        let failure: DeliveryFailure? = state.withLock { state in
            switch scripts[job.recipient] {
            case nil:
                return nil
            case .transient(let times):
                let count = state.failuresSoFar[job.recipient, default: 0]
                guard count < times else { return nil }
                state.failuresSoFar[job.recipient] = count + 1
                return .transient(.deferred, "421 try later")
            case .permanent:
                return .permanent(.badAddress, "550 no such mailbox", hint: "check the cooperator directory")
            case .alwaysTransient:
                return .transient(.unreachable, "connection refused", hint: "check the SMTP server")
            case .messageRefused:
                return DeliveryFailure(
                    code: .reply("smtp", 554), isRetriable: false, summary: "smtp 554: refused at the end of DATA",
                    operatorHint: "check the relay's log", scope: .message, stage: "end-of-data")
            }
        }
        if let failure { throw failure }
        state.withLock {
            $0.delivered[job.id, default: 0] += 1
            $0.accepted.append(
                Attempt(
                    id: job.id, recipient: job.recipient, attempt: job.attempt, idempotencyKey: job.idempotencyKey,
                    kind: job.kind))
        }
    }

    var attempts: [Attempt] { state.withLock { $0.attempts } }
    /// How many times each delivery was accepted.
    var delivered: [DeliveryID: Int] { state.withLock { $0.delivered } }
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    /// The sends the far side accepted, in order.
    var accepted: [Attempt] { state.withLock { $0.accepted } }
}

/// Keeps every alarm raised; refuses the first `refusals` (a relay that is down), and the first
/// `channelRefusals` pause alarms.
final class RecordingAlarm: OperatorAlarm {
    private let alarms = Mutex<[DeliveryAlarm]>([])
    private let refusals: Mutex<Int>
    private let channelAlarms = Mutex<[ChannelAlarm]>([])
    private let channelRefusals: Mutex<Int>

    init(refusals: Int = 0, channelRefusals: Int = 0) {
        self.refusals = Mutex(refusals)
        self.channelRefusals = Mutex(channelRefusals)
    }

    func raise(_ alarm: ChannelAlarm) async -> Bool {
        channelAlarms.withLock { $0.append(alarm) }
        return channelRefusals.withLock { left in
            guard left > 0 else { return true }
            left -= 1
            return false
        }
    }

    /// Every try of a pause alarm, refused ones included.
    var raisedChannel: [ChannelAlarm] { channelAlarms.withLock { $0 } }

    func raise(_ alarm: DeliveryAlarm) async -> Bool {
        alarms.withLock { $0.append(alarm) }
        return refusals.withLock { left in
            guard left > 0 else { return true }
            left -= 1
            return false
        }
    }

    var raised: [DeliveryAlarm] { alarms.withLock { $0 } }
}

/// The far side of a `RecordingOutlet`: up or down, or up and refusing the sender (530 at MAIL
/// FROM, a channel fault).
final class ServerSwitch: Sendable {
    private let down = Atomic<Bool>(false)
    private let refusing = Atomic<Bool>(false)
    var isDown: Bool { down.load(ordering: .sequentiallyConsistent) }
    var isRefusing: Bool { refusing.load(ordering: .sequentiallyConsistent) }
    func set(down value: Bool) { down.store(value, ordering: .sequentiallyConsistent) }
    func set(refusing value: Bool) { refusing.store(value, ordering: .sequentiallyConsistent) }
}

import Foundation
import Ledger
import Synchronization
import Timing

/// What one channel's loop decides: which claimed deliveries wait in its queue, when to claim
/// more and how many, which to start, how long to wait, and whether the channel is paused
/// because its server cannot be reached. Pure: no I/O and no clock; the loop (`runChannel`) and
/// the sends report events with the time they happened, and execute the actions returned.
///
/// A round of the loop: `beginRound` (the unstarted claims to give back, the claim to make),
/// `claimed` / `claimFailed` and `nextDueFound` / `nextDueFailed` with the ledger's answers,
/// then `startSends` (the deliveries to hand to the outlet, and how to wait). Sends report
/// `sendReported` (whether the server was reached) and `sendFinished`.
///
/// Pause and probe: when a send finds the server unreachable (connection refused, DNS, TLS
/// handshake) or refusing the channel itself (greeting, AUTH, MAIL FROM, HTTP 401/403/429/5xx)
/// the channel pauses instead of trying every pending delivery against a closed port or a
/// refusing relay: each such try would cost the delivery a retry and its backoff (minutes after
/// a long outage) and the journal a line. A paused channel gives its unstarted claims back and
/// claims nothing; after the pause one delivery probes; the first success opens the channel
/// again, a failed probe pauses it longer.
///
/// Pace: an open channel starts no faster than its `Pace` allows (`email.rate`), and a relay's
/// "too many" (`Reach.tooMany`) slows the pace down instead of pausing the channel; the refused
/// delivery goes back to the head of the queue with its attempt unused (`sendDeferred`).
struct ChannelStateMachine: Sendable {
    /// The pauses after consecutive unreachable probes; the last one repeats. Short enough that
    /// the channel is back within seconds of the server's return.
    static let pauses = Backoff.steps([1, 2, 4, 8, 15].map { .seconds($0) })

    /// How many deliveries the loop claims ahead of its free slots: enough that one claim
    /// transaction serves many sends (a large fan-out claimed a few at a time spent most of its
    /// time in claim transactions), few enough that a graceful stop has little to give back.
    static func claimBatch(concurrency limit: Int) -> Int {
        max(2 * limit, min(16 * limit, 256))
    }

    /// Sends in flight at once while open.
    let limit: Int
    let batch: Int
    /// The longest the loop waits without looking at the ledger again.
    let maximumIdle: Duration
    /// After a ledger error, how long before trying again.
    let ledgerErrorPause: Duration

    /// Claimed, not yet started (`sending` in the ledger), oldest first.
    private(set) var queue: [DeliveryJob] = []
    private(set) var inFlight = 0
    /// A delivery back from more than one crash is sent with nothing claimed beside it, so a
    /// delivery that kills the daemon does not drag the claims made with it to crash-loop.
    private(set) var suspectsInFlight = 0
    /// Set when a claim found fewer due deliveries than it asked for: no more claims until new
    /// work is signalled, the next due time comes, or `maximumIdle` passes.
    private(set) var drained = false
    private var drainedAt = Date.distantPast
    private(set) var nextDue: Date?

    /// While paused: when the next probe may start (nil: open).
    private(set) var pausedUntil: Date?
    private var failedProbes = 0
    private var downSince: Date?
    private var cause: String?

    /// How fast sends may start while open.
    private(set) var pace: Pace

    init(concurrency: Int, maximumIdle: Duration, ledgerErrorPause: Duration, rate: Double? = nil) {
        limit = max(1, concurrency)
        pace = Pace(perSecond: rate)
        batch = Self.claimBatch(concurrency: limit)
        self.maximumIdle = maximumIdle
        self.ledgerErrorPause = ledgerErrorPause
    }

    /// While paused: what paused it (`unreachable`, `smtp-530 at mail-from`, `http-401`), for
    /// `/healthz`.
    var pauseCause: String? { pausedUntil == nil ? nil : cause }

    // MARK: - The loop's round

    /// Starts a round at `now` (`workSignalled`: new work was recorded since the last round):
    /// the unstarted claims to give back to `planned`, then how many to claim (nil: none).
    mutating func beginRound(now: Date, workSignalled: Bool) -> (release: [DeliveryJob], claim: Int?) {
        if workSignalled || now >= drainedAt.adding(maximumIdle) { drained = false }
        if drained, let due = nextDue, due <= now { drained = false }
        // A paused channel (its server unreachable) gives its unstarted claims back to `planned`
        // (the ledger shows them waiting, not sending), claims nothing until the pause is over,
        // then one delivery at a time as a probe until a send gets through.
        var release: [DeliveryJob] = []
        if pausedUntil != nil && !queue.isEmpty {
            release = queue
            queue.removeAll(keepingCapacity: true)
        }
        guard suspectsInFlight == 0 else { return (release, nil) }
        if let until = pausedUntil {
            let probe = now >= until && queue.isEmpty && inFlight == 0
            return (release, probe ? 1 : nil)
        }
        return (release, !drained && queue.count < max(1, batch / 2) ? batch - queue.count : nil)
    }

    /// Whether the loop should ask the ledger when the next delivery falls due.
    enum AfterClaim: Equatable, Sendable {
        case lookUpNextDue
        case proceed
    }

    /// The claim of `asked` deliveries made at `now` returned `jobs`.
    mutating func claimed(_ jobs: [DeliveryJob], asked: Int, now: Date) -> AfterClaim {
        queue += jobs
        guard jobs.count < asked else { return .proceed }
        drained = true
        drainedAt = now
        return .lookUpNextDue
    }

    /// The claim failed: wait this long (or for a signal) and start a new round.
    func claimFailed(now: Date) -> Wait { .until(now.adding(ledgerErrorPause)) }

    mutating func nextDueFound(_ due: Date?) { nextDue = due }

    /// The ledger could not say: look again after a ledger error pause.
    mutating func nextDueFailed(now: Date) { nextDue = now.adding(ledgerErrorPause) }

    /// How the loop waits at the end of a round. A finishing send signals; so do new work and
    /// the ticker that beats at least every `maximumIdle`.
    enum Wait: Equatable, Sendable {
        /// Start the next round at once.
        case none
        /// Until signalled.
        case signal
        /// Until signalled or this instant.
        case until(Date)
    }

    /// A new configured rate (a reload of `email.rate`), in force from the next start.
    mutating func apply(rate: Double?) { pace.apply(perSecond: rate) }

    /// Hands the outlet what it may take now; then how to wait.
    mutating func startSends(now: Date) -> (start: [DeliveryJob], wait: Wait) {
        let probing = pausedUntil.map { now >= $0 } ?? false
        let allowed = pausedUntil == nil ? limit : (probing ? 1 : 0)
        let slots = max(0, min(allowed - inFlight, queue.count))
        // The pace spreads an open channel's starts; a probe is one start already.
        let (count, nextStart) = pausedUntil == nil ? pace.take(slots, now: now) : (slots, nil)
        let start = Array(queue.prefix(count))
        queue.removeFirst(count)
        inFlight += count
        suspectsInFlight += start.count(where: \.isSuspect)

        if let until = pausedUntil {
            // Paused: wake for the probe (or when the probe in flight finishes).
            if now < until { return (start, .until(until)) }
            if inFlight == 0 && queue.isEmpty, let due = nextDue {
                return (start, .until(max(due, now.adding(.seconds(1)))))
            }
            return (start, .signal)
        }
        guard queue.isEmpty else { return (start, nextStart.map { .until($0) } ?? .signal) }
        // Claimed a full batch and started it all: claim again (unless a suspect is out alone:
        // its end signals).
        if !drained && suspectsInFlight == 0 { return (start, .none) }
        // A suspect out alone: nothing else is claimed until it ends, and its end signals. The
        // others' due time (gone by, if they wait behind it) would send the loop round and round.
        if suspectsInFlight > 0 { return (start, .signal) }
        // Due before the ticker beats again: wait for that time as well.
        if let due = nextDue, due < now.adding(maximumIdle) { return (start, .until(due)) }
        return (start, .signal)
    }

    // MARK: - Sends

    /// What a send found out about the channel's server.
    enum Reach: Equatable, Sendable {
        /// The send got through.
        case reachable
        /// The server could not be reached or refused the channel itself.
        case unreachable(cause: String)
        /// Nothing about the server (a recipient or message refused, or not sent at all).
        case unknown
        /// The relay refused this message as one too many for its rate (SMTP 421/451 "too
        /// many"): the channel slows down instead of pausing.
        case tooMany
    }

    /// A change the journal and the pause gauge must show.
    enum GateChange: Equatable, Sendable {
        /// The channel was open and pauses for this long.
        case paused(for: Duration)
        /// The channel opens again after being paused this many seconds.
        case resumed(downFor: TimeInterval)
        /// The relay said "too many": the channel slows to this many messages per second, after
        /// holding every start for this long.
        case slowed(perSecond: Double, holding: Duration)
        /// A slowed channel steps back up to this rate.
        case raised(perSecond: Double)
        /// A slowed channel is back at its configured rate (nil: unlimited).
        case restored(perSecond: Double?)
    }

    /// A send at `now` found the server `reach`. A send that failed while the pause runs had
    /// started before it: the pause already covers it, only a failed probe lengthens it.
    mutating func sendReported(_ reach: Reach, now: Date) -> GateChange? {
        switch reach {
        case .unknown:
            return nil
        case .tooMany:
            return pace.slowDown(now: now, concurrency: limit).map { .slowed(perSecond: $0, holding: Pace.slowDownHold) }
        case .unreachable(let cause):
            if let until = pausedUntil, now < until { return nil }
            self.cause = cause
            let wasOpen = pausedUntil == nil
            let pause = Self.pauses.delay(afterAttempt: failedProbes + 1)
            failedProbes += 1
            pausedUntil = now.adding(pause)
            guard wasOpen else { return nil }
            downSince = now
            return .paused(for: pause)
        case .reachable:
            guard pausedUntil != nil else {
                switch pace.sentThrough(now: now) {
                case .to(let rate): return .raised(perSecond: rate)
                case .restored(let rate): return .restored(perSecond: rate)
                case nil: return nil
                }
            }
            let down = downSince.map { now.timeIntervalSince($0) } ?? 0
            pausedUntil = nil
            failedProbes = 0
            downSince = nil
            cause = nil
            return .resumed(downFor: down)
        }
    }

    /// A send the relay refused as one too many goes back to the head of the queue, to start
    /// again when the pace allows, its attempt unused (it never got past the relay's count).
    /// Returns false for a delivery back from crashes: it must not wait beside other claims, so
    /// its outcome is recorded as a retry instead.
    mutating func sendDeferred(_ job: DeliveryJob) -> Bool {
        guard !job.isSuspect else { return false }
        queue.insert(job, at: 0)
        return true
    }

    /// A send started by `startSends` is over (its outcome recorded or given up).
    mutating func sendFinished(_ job: DeliveryJob) {
        inFlight -= 1
        if job.isSuspect { suspectsInFlight -= 1 }
    }

    // MARK: - Stop

    /// The loop stops claiming: the unstarted claims to give back to `planned` at once.
    mutating func stop() -> [DeliveryJob] {
        defer { queue.removeAll() }
        return queue
    }
}

/// A channel's state machine shared by its loop, its sends and `/healthz`: each event takes the
/// lock, changes the state and returns what to do; the doing happens outside the lock.
final class LockedChannelStateMachine: Sendable {
    private let machine: Mutex<ChannelStateMachine>

    init(_ machine: ChannelStateMachine) { self.machine = Mutex(machine) }

    func update<Result: Sendable>(_ body: (inout ChannelStateMachine) -> Result) -> Result {
        machine.withLock { body(&$0) }
    }

    var pauseCause: String? { machine.withLock { $0.pauseCause } }
    var inFlight: Int { machine.withLock { $0.inFlight } }
}

import Foundation
import Ledger
import Logging
import MimamoriCore
import ServiceLifecycle
import Synchronization

/// Takes due deliveries from the ledger and sends them through the outlets: one independent loop
/// per channel (a slow FAX gateway never delays email), up to each outlet's concurrency in
/// parallel, every result recorded in the ledger, transient failures retried per the
/// `RetryPolicy`, permanent ones and those past their deadline reported to the operator (the
/// ledger owes each alarm until it is handed over, across crashes).
///
/// Wakes when intake records new work (`workRecorded`), when a send finishes, and at the next
/// `next_attempt_at`. On start it resumes what a crash left in flight. A graceful shutdown stops
/// claiming, lets in-flight sends finish within `shutdownGrace`, and leaves the rest planned.
public final class Dispatcher: Service, Sendable {
    let ledger: any DeliveryQueue & AlarmOutbox
    let outlets: [Channel: any Outlet]
    let alarm: any OperatorAlarm
    let clock: any WallClock
    let logger: Logger
    let configuration: Configuration
    let heartbeat: @Sendable (Channel) -> Void
    let randomUnit: @Sendable () -> Double
    let onOutcome: @Sendable (DeliveryJob, DeliveryOutcome) -> Void
    let signals: [Channel: WakeSignal]
    /// Per channel: its loop's state (queue, due times, pause and probe), and the notices whose
    /// message its server refused.
    let channelStates: [Channel: LockedChannelStateMachine]
    let refusals: [Channel: NoticeRefusals]
    /// Pause alarms not yet handed over (the relay that paused the email channel refuses its
    /// own alarm): in memory, raised again when a channel resumes and every `alarmRetryInterval`.
    let owedChannelAlarms = Mutex<[ChannelAlarm]>([])
    /// Delivery alarms being raised right now (see `raiseAndMark`).
    let alarmsInHand = Mutex<Set<DeliveryID>>([])
    let stopping = Atomic<Bool>(false)
    let meters = DispatcherMeters()
    /// `retry:` of the settings in force: a reload replaces it, the next outcome uses it.
    private let retryPolicy: Mutex<RetryPolicy>

    /// - Parameters:
    ///   - outlets: at most one per channel; channels without an outlet are left planned.
    ///   - heartbeat: called on every loop iteration of every channel (the systemd watchdog).
    ///   - randomUnit: the jitter source, a number in 0 ..< 1.
    ///   - onOutcome: called once each attempt's outcome is recorded (status events, counters).
    public init(
        ledger: any DeliveryQueue & AlarmOutbox, outlets: [any Outlet], alarm: any OperatorAlarm, configuration: Configuration = .init(),
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "mimamori.dispatcher"),
        heartbeat: @escaping @Sendable (Channel) -> Void = { _ in },
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        onOutcome: @escaping @Sendable (DeliveryJob, DeliveryOutcome) -> Void = { _, _ in }
    ) {
        precondition(Set(outlets.map(\.channel)).count == outlets.count, "one outlet per channel")
        self.ledger = ledger
        self.outlets = Dictionary(uniqueKeysWithValues: outlets.map { ($0.channel, $0) })
        self.alarm = alarm
        self.configuration = configuration
        self.retryPolicy = Mutex(configuration.retry)
        self.clock = clock
        self.logger = logger
        self.heartbeat = heartbeat
        self.randomUnit = randomUnit
        self.onOutcome = onOutcome
        self.signals = Dictionary(uniqueKeysWithValues: outlets.map { ($0.channel, WakeSignal()) })
        self.channelStates = Dictionary(
            uniqueKeysWithValues: outlets.map { outlet in
                let machine = ChannelStateMachine(
                    concurrency: outlet.concurrency, maximumIdle: configuration.maximumIdle,
                    ledgerErrorPause: configuration.ledgerErrorPause, rate: configuration.rates[outlet.channel])
                return (outlet.channel, LockedChannelStateMachine(machine))
            })
        self.refusals = Dictionary(uniqueKeysWithValues: outlets.map { ($0.channel, NoticeRefusals()) })
    }

    /// The retry policy outcomes are decided with.
    public var retry: RetryPolicy { retryPolicy.withLock { $0 } }

    /// Applies a reloaded `retry:` to every attempt from now on.
    public func apply(retry: RetryPolicy) { retryPolicy.withLock { $0 = retry } }

    /// Applies a reloaded rate (`email.rate`; nil: unlimited) to the channel's next starts.
    public func apply(rate: Double?, to channel: Channel) {
        channelStates[channel]?.update { $0.apply(rate: rate) }
    }

    /// The channels paused right now, with what paused them (for `/healthz`).
    public var pausedChannels: [(channel: Channel, cause: String)] {
        Channel.allCases.compactMap { channel in channelStates[channel]?.pauseCause.map { (channel, $0) } }
    }

    /// Tells the dispatcher that deliveries were recorded (intake calls this after each commit).
    public func workRecorded(channels: some Sequence<Channel> = Channel.allCases) {
        for channel in channels { signals[channel]?.signalWork() }
    }

    /// Starts a graceful stop: no more claims; in-flight sends finish (within the grace period).
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for signal in signals.values { signal.signal() }
    }

    /// Resumes what a crash left in flight, then runs until a graceful shutdown (or `stop()`)
    /// has drained the in-flight sends, or the task is cancelled.
    public func run() async throws {
        let resumption = try await ledger.resume(now: clock.now())
        logger.info("dispatcher.started", metadata: .keys([.count: "\(resumption.resumed)"]))
        for failed in resumption.crashLooped { logCrashLoop(failed) }
        // Deliveries on a channel without an outlet wait (and never expire) until one is configured.
        let backlog = try await ledger.backlog()
        for channel in Channel.allCases where outlets[channel] == nil && backlog[channel, default: 0] > 0 {
            logger.warning(
                "dispatcher.unserved",
                metadata: .keys([.channel: "\(channel.rawValue)", .count: "\(backlog[channel, default: 0])"]))
        }
        await withGracefulShutdownHandler {
            // Each channel's loop and sends on a thread of their own (see `ChannelThread`),
            // closed once the loops have drained.
            let threads = Dictionary(
                uniqueKeysWithValues: outlets.keys.map { ($0, ChannelThread(name: "channel-\($0.rawValue)")) })
            defer { for thread in threads.values { thread.close() } }
            await withTaskGroup(of: Void.self) { group in
                for (channel, outlet) in outlets {
                    let signal = signals[channel]!
                    group.addTask(executorPreference: threads[channel]) { await self.runChannel(outlet, signal: signal) }
                }
                // Ends with the channel loops: cancelled once they have drained.
                let owed = Task {
                    for failed in resumption.crashLooped { await self.raiseAndMark(Self.alarm(for: failed)) }
                    await self.raiseOwedAlarms()
                }
                await group.waitForAll()
                owed.cancel()
                await owed.value
            }
        } onGracefulShutdown: {
            self.stop()
        }
        logger.info("dispatcher.stopped")
    }
}

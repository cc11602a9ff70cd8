import AMQP
import Foundation
import Ledger
import Logging
import Metrics
import MimamoriBroker
import MimamoriCore
import MimamoriService
import Outlets
import Prometheus
import ServiceLifecycle
import Synchronization
import Timing
import UnixSignals

/// `mimamorid`: loads settings, opens the ledger, connects to the broker, and runs the services
/// until SIGTERM. Exit codes follow sysexits: 0 after a clean stop, 78 for settings that cannot
/// be used, 69 when the broker or the ledger is unavailable at start.
public enum Daemon {
    public static let version = "0.1.0"

    public struct Options: Sendable {
        public var configPath: String
        public var credentialsDirectory: String?
        public init(configPath: String, credentialsDirectory: String?) {
            self.configPath = configPath
            self.credentialsDirectory = credentialsDirectory
        }

        /// `--config FILE` (or `$MIMAMORI_CONFIG`), `--credentials DIR` (or `$CREDENTIALS_DIRECTORY`).
        public static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Options {
            var config: String?
            var credentials = environment["CREDENTIALS_DIRECTORY"]
            var index = 0
            while index < arguments.count {
                let argument = arguments[index]
                func value() throws(UsageError) -> String {
                    index += 1
                    guard index < arguments.count else { throw UsageError(message: "\(argument) needs a value") }
                    return arguments[index]
                }
                switch argument {
                case "--config", "-c": config = try value()
                case "--credentials": credentials = try value()
                case "--version": throw UsageError(message: "mimamorid \(Daemon.version)", isVersion: true)
                case "--help", "-h":
                    throw UsageError(
                        message: "usage: mimamorid [--config FILE] [--credentials DIR]\n"
                            + "  --config FILE       settings (default $MIMAMORI_CONFIG or /etc/mimamori/mimamori.yaml)\n"
                            + "  --credentials DIR   broker-password, smtp-password, fax-token, registry-key, confirm-key, ledger-password (default $CREDENTIALS_DIRECTORY)",
                        isVersion: true)
                default: throw UsageError(message: "unknown argument \(argument); see mimamorid --help")
                }
                index += 1
            }
            return Options(configPath: SettingsFiles.configPath(config, environment: environment), credentialsDirectory: credentials)
        }
    }

    public struct UsageError: Error {
        public var message: String
        public var isVersion = false
    }

    public static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        let options: Options
        do {
            options = try Options.parse(arguments, environment: environment)
        } catch {
            print(error.message)
            return error.isVersion ? 0 : 64
        }
        // libcurl and a broken broker socket must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        // SIGHUP's default action ends the process (and systemd counts that as a clean exit, so
        // Restart=on-failure would not bring us back): ignore it until the reload trap is set.
        signal(SIGHUP, SIG_IGN)
        let level = environment["MIMAMORI_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let toJournal = JournalStream.isStandardOutput(environment: environment)
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level, priorityPrefix: toJournal) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "mimamorid")
        let notifier = SystemdNotifier(environment: environment)
        do {
            try await run(options: options, registry: registry, notifier: notifier, environment: environment, logger: logger)
            return 0
        } catch let error as ActiveStandby.LeaseLost {
            // EX_TEMPFAIL: systemd restarts the daemon, and it waits as the standby.
            notifier.status("stopped: \(error)")
            return 75
        } catch let error as StartupError {
            for line in error.problems { logger.critical("startup.failed", metadata: .keys([.reason: .string(line)])) }
            notifier.status("failed: \(error.problems.first ?? "")")
            return error.exitCode
        } catch {
            logger.critical("daemon.failed", metadata: .keys([.reason: .string("\(error)")]))
            return 70
        }
    }

    struct StartupError: Error {
        var problems: [String]
        var exitCode: Int32
    }

    static func run(
        options: Options, registry: PrometheusCollectorRegistry, notifier: SystemdNotifier,
        environment: [String: String], logger: Logger
    ) async throws {
        let started = ContinuousClock.now
        let files = try loadSettings(configPath: options.configPath, logger: logger)
        let configuration = files.configuration
        let credentials = Credentials.load(directory: options.credentialsDirectory)
        let store = SettingsStore(CaseIntake.Settings(files: files))
        let metrics = DaemonMetrics()

        let ledger = try await openLedger(configuration.ledger, password: credentials.ledgerPassword)
        // On a ledger two daemons share, only the lease's holder goes on from here.
        var leaseKeeper: LeaseKeeper?
        if let lease = ledger as? any ActiveLease {
            let owner = ActiveStandby.owner()
            let active = try await ActiveStandby.waitForLease(
                lease, owner: owner, listen: configuration.metrics.listen, registry: registry, notifier: notifier, logger: logger)
            guard active else {
                logger.info("daemon.stopped")
                return
            }
            leaseKeeper = LeaseKeeper(lease: lease, owner: owner, logger: Logger(label: "mimamori.lease"))
        }
        let familyRegistry = try await openRegistry(configuration.registry, ledger: ledger, credential: credentials.registryKey)
        let confirmations = try confirmationSigner(configuration.confirm, credential: credentials.confirmKey)

        let amqpConfiguration = try brokerConfiguration(configuration, password: credentials.brokerPassword)
        let topology = AMQPTopology.mimamori(
            municipality: configuration.municipality, passive: environment["MIMAMORI_TOPOLOGY"] == "verify",
            concerns: configuration.concerns != nil, partners: configuration.forwardingPartners)
        let connection = try await connectWithBackoff(
            amqpConfiguration, topology: topology, notifier: notifier, logger: logger,
            onConnectionChange: { metrics.brokerConnected($0) })

        let outlets: DaemonOutlets
        do {
            outlets = try DaemonOutlets(configuration: configuration, credentials: credentials, ledger: ledger, logger: logger)
        } catch {
            await connection.close()
            throw StartupError(problems: ["outlets: \(error)"], exitCode: 78)
        }

        let notices = OperatorNotice(
            outlet: outlets.email, from: EmailAddress(parsing: configuration.email.from), to: configuration.operator.alarmEmail,
            town: configuration.town.name, logger: Logger(label: "mimamori.alarm"))
        if !files.refusedRows.isEmpty { notices.refusedRows(files.refusedRows, file: configuration.cooperators) }

        let status = StatusPublisher(
            connection: connection, ledger: ledger, municipality: configuration.municipality, metrics: metrics,
            logger: Logger(label: "mimamori.status"))
        let watchdog = WatchdogPinger(notifier: notifier, interval: SystemdNotifier.watchdogInterval(environment: environment))
        let dispatcher = Dispatcher(
            ledger: ledger, outlets: outlets.all,
            alarm: EmailOperatorAlarm(
                outlet: outlets.email, from: EmailAddress(parsing: configuration.email.from),
                to: configuration.operator.alarmEmail, town: configuration.town.name, logger: Logger(label: "mimamori.alarm")),
            configuration: .init(
                retry: RetryPolicy(configuration.retry),
                maximumIdle: .seconds(2), rates: configuration.email.rate.map { [.email: $0] } ?? [:],
                faxLines: FaxLineSpacing(configuration.fax)),
            logger: Logger(label: "mimamori.dispatcher"),
            heartbeat: { _ in watchdog.beat() },
            onOutcome: { job, _ in status.changed(job.caseID) })
        let caseAlarms = CaseAlarmService(
            ledger: ledger, outlet: outlets.email, from: EmailAddress(parsing: configuration.email.from),
            town: configuration.town.name, recipients: { .init(configuration: store.settings.configuration) },
            logger: Logger(label: "mimamori.alarm"))
        // Our consented cases go to the partner towns that run their own daemon (seed 004).
        let forwarder =
            configuration.forwardingPartners.isEmpty
            ? nil
            : PartnerForwarder(connection: connection, ledger: ledger, metrics: metrics, logger: Logger(label: "mimamori.partners"))
        let intake = IntakeService(
            connection: connection, queue: AMQPTopology.casesQueue(municipality: configuration.municipality),
            intake: CaseIntake(ledger: ledger, registry: familyRegistry, confirmations: confirmations), settings: store, metrics: metrics,
            logger: Logger(label: "mimamori.intake"),
            onRecorded: {
                dispatcher.workRecorded()
                caseAlarms.wake()
                forwarder?.wake()
            },
            onUnreached: { caseID, reach, reason in notices.unreached(caseID: caseID, reach: reach, reason: reason) })
        // Concern reports go through the same intake, ledger and dispatcher, from a queue of their own.
        let concernIntake = configuration.concerns.map { _ in
            IntakeService(
                connection: connection, queue: AMQPTopology.concernsQueue(municipality: configuration.municipality),
                intake: CaseIntake(ledger: ledger, registry: familyRegistry, confirmations: confirmations), settings: store,
                metrics: metrics,
                logger: Logger(label: "mimamori.intake"),
                onRecorded: { dispatcher.workRecorded() })
        }
        let retention = RetentionService(
            ledger: ledger, limits: { RetentionService.limits(store.settings.configuration, environment: environment) },
            interval: environment["MIMAMORI_PURGE_INTERVAL"].flatMap(Int.init).map { .seconds($0) } ?? .seconds(3600),
            logger: Logger(label: "mimamori.retention"), spool: outlets.radio?.configuration.spool,
            onAlarmsRaised: { caseAlarms.wake() })
        let reconfirmation = familyRegistry.map { registry in
            ReconfirmationService(
                registry: registry, outlet: outlets.email, from: EmailAddress(parsing: configuration.email.from),
                town: configuration.town.name, settings: { .init(configuration: store.settings.configuration) },
                interval: environment["MIMAMORI_REGISTRY_INTERVAL"].flatMap(Int.init).map { .seconds($0) } ?? .seconds(600),
                logger: Logger(label: "mimamori.registry"))
        }
        let shelterReminders = ShelterReminderService(
            ledger: ledger, remindAt: { store.settings.configuration.shelter?.remindAt },
            interval: environment["MIMAMORI_SHELTER_INTERVAL"].flatMap(Int.init).map { .seconds($0) } ?? .seconds(60),
            logger: Logger(label: "mimamori.shelter"), onRaised: { caseAlarms.wake() })
        let secondReminders = confirmations.map { signer in
            SecondReminderService(
                ledger: ledger, settings: { store.settings }, confirmations: signer,
                interval: environment["MIMAMORI_SECOND_REMINDER_INTERVAL"].flatMap(Int.init).map { .seconds($0) } ?? .seconds(60),
                logger: Logger(label: "mimamori.retention"), onPlanned: { dispatcher.workRecorded() })
        }
        // HylaFAX reports nothing by itself: its queues are read for what became of each FAX.
        let hylaFAXStatus = outlets.fax.flatMap { fax -> HylaFAXStatusService? in
            guard case .hylaFAX = fax.configuration.method else { return nil }
            return HylaFAXStatusService(
                ledger: ledger, outlet: fax, spacing: FaxLineSpacing(configuration.fax),
                interval: environment["MIMAMORI_FAXSTAT_INTERVAL"].flatMap(Int.init).map { .seconds($0) } ?? .seconds(60))
        }
        // Trapped before READY=1: `systemctl reload` may follow `systemctl start` at once, and a
        // SIGHUP that arrives before the reload service runs waits in this sequence.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reload = ReloadService(
            configPath: options.configPath, credentialsDirectory: options.credentialsDirectory, store: store,
            notifier: notifier, logger: Logger(label: "mimamori.reload"), signals: hangups
        ) { [brokerPassword = credentials.brokerPassword] applied, fresh in
            dispatcher.apply(retry: RetryPolicy(applied.retry))
            dispatcher.apply(rate: applied.email.rate, to: .email)
            var result = outlets.apply(fresh)
            // The connection keeps its login; the next reconnect would use the start's password.
            if fresh.brokerPassword != brokerPassword { result.restartNeeded.append("broker-password") }
            return result
        }

        let faxStatus = outlets.faxStatusWebhook(configuration: configuration, ledger: ledger, logger: logger)
        if faxStatus != nil, configuration.confirm == nil {
            // The reports come to the confirmation endpoint, which runs only with `confirm:`.
            logger.warning(
                "fax.status.off",
                metadata: .keys([
                    .reason:
                        "fax-webhook-key is set but confirm: is not: nothing listens for the FAX service's status reports, transmissions stay unknown; add confirm:"
                ]))
        }
        let confirm = try configuration.confirm.map {
            try confirmEndpoint($0, ledger: ledger, settings: store, metrics: metrics, faxStatus: faxStatus)
        }
        // The lease first, so that it is given up last, once everything else has stopped.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = leaseKeeper.map { [.init(service: $0)] } ?? []
        if let endpoint = try metricsEndpoint(
            configuration.metrics.listen, registry: registry, ledger: ledger, connection: connection, intake: intake,
            dispatcher: dispatcher, settings: store, confirm: confirm, forwarder: forwarder, active: leaseKeeper != nil, logger: logger)
        {
            services.append(.init(service: endpoint))
        }
        if let confirm { services.append(.init(service: confirm)) }
        // Graceful shutdown runs in reverse: intake stops first, then housekeeping, the
        // dispatcher drains its in-flight sends, status goes out, and the broker closes last.
        services += [
            .init(service: connection), .init(service: status), .init(service: dispatcher),
            .init(service: caseAlarms), .init(service: retention), .init(service: shelterReminders), .init(service: reload),
        ]
        if let forwarder { services.append(.init(service: forwarder)) }
        if let secondReminders { services.append(.init(service: secondReminders)) }
        if let hylaFAXStatus { services.append(.init(service: hylaFAXStatus)) }
        if let reconfirmation { services.append(.init(service: reconfirmation)) }
        if let concernIntake { services.append(.init(service: concernIntake)) }
        services += [
            .init(service: IdleMemory(configuration: .init(), logger: logger)),
            .init(service: intake),
            // READY=1 from inside the group, once it has trapped SIGTERM: a `systemctl stop`
            // right after start is then a graceful stop (exit 0), not death by the signal.
            .init(
                service: ReadyNotification(
                    notifier: notifier,
                    status:
                        "consuming \(AMQPTopology.casesQueue(municipality: configuration.municipality)); \(files.directory.active.count) cooperators"
                ),
                successTerminationBehavior: .ignore),
        ]
        let group = ServiceGroup(configuration: groupConfiguration(services))

        logStarted(files, configPath: options.configPath, since: started, logger: logger)
        try await group.run()
        notifier.stopping()
        await outlets.shutdown()
        logger.info("daemon.stopped")
    }

    static func openLedger(_ settings: Configuration.Ledger, password: String?) async throws -> any CaseLedger {
        do {
            return try await Ledger.open(settings, password: password)
        } catch {
            throw StartupError(problems: ["ledger \(settings.location): \(error)"], exitCode: 69)
        }
    }

    /// The signer of the confirmation codes when `confirm:` is set: without its credential the
    /// daemon does not start (notices would go out without the codes the town asked for).
    static func confirmationSigner(_ settings: Configuration.Confirm?, credential: String?) throws -> ConfirmationSigner? {
        guard settings != nil else { return nil }
        guard let credential else {
            throw StartupError(
                problems: [
                    "confirm: the confirm-key credential is missing; write one with `mimamori keygen --confirm-key /etc/mimamori/confirm-key` (LoadCredential=confirm-key)"
                ], exitCode: 78)
        }
        do throws(ConfirmationKeyError) {
            return try ConfirmationSigner(credential: credential)
        } catch {
            throw StartupError(problems: ["confirm: \(error)"], exitCode: 78)
        }
    }

    /// The registry when the settings turn it on: without its credential, or with one that does
    /// not open what the registry holds, the daemon does not start (an alert must never go out
    /// quietly without the registration it names).
    static func openRegistry(_ settings: Configuration.Registry?, ledger: any CaseLedger, credential: String?) async throws -> Registry? {
        guard let settings else { return nil }
        do throws(RegistryError) {
            let registry = try Registry.open(settings, store: ledger, credential: credential)
            // One registration opened proves the credential is this registry's.
            if try await registry.openOne() == false { throw RegistryError.vault(.wrongKey) }
            return registry
        } catch {
            throw StartupError(problems: ["registry: \(error)"], exitCode: 78)
        }
    }

    /// The broker as the settings name it, with the daemon's own limits on the client.
    static func brokerConfiguration(_ configuration: Configuration, password: String?) throws -> AMQPConfiguration {
        var amqpConfiguration: AMQPConfiguration
        do {
            amqpConfiguration = try AMQPConfiguration(url: configuration.broker.url, password: password)
        } catch {
            throw StartupError(problems: ["broker.url: \(error.withSettingsHint)"], exitCode: 78)
        }
        for (i, url) in configuration.broker.otherURLs.enumerated() {
            do throws(AMQPError) {
                let node = try AMQPConfiguration(url: url, password: password)
                amqpConfiguration.otherNodes.append(AMQPConfiguration.Node(host: node.host, port: node.port))
            } catch {
                throw StartupError(problems: ["broker.urls[\(i + 1)]: \(error.withSettingsHint)"], exitCode: 78)
            }
        }
        amqpConfiguration.heartbeat = Int(configuration.broker.heartbeat.inSeconds)
        amqpConfiguration.prefetch = UInt16(clamping: configuration.broker.prefetch)
        amqpConfiguration.connectionName = "mimamorid \(configuration.municipality)"
        // After a broker outage of any length the daemon must be back within 5 s of the broker's
        // return: it can only notice at its next attempt, so attempts are never more than 4 s
        // apart (the library's default cap, 30 s, meant up to 30 s of missed alerts).
        amqpConfiguration.reconnectMaxDelay = .seconds(4)
        return amqpConfiguration
    }

    static func groupConfiguration(_ services: [ServiceGroupConfiguration.ServiceConfiguration]) -> ServiceGroupConfiguration {
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: Logger(label: "mimamori.services"))
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(25)
        return groupConfiguration
    }

    static func logStarted(_ files: SettingsFiles, configPath: String, since started: ContinuousClock.Instant, logger: Logger) {
        let active = files.directory.active
        logger.info(
            "daemon.started",
            metadata: .keys([
                .version: .string(version), .file: .string(configPath),
                .fax: "\(active.filter { $0.channel == .fax }.count)",
                .email: "\(active.filter { $0.channel == .email }.count)",
                .radio: "\(files.configuration.radio == nil ? 0 : 1)",
                // Concern reports are taken only with `concerns:`: 0 says the town takes none.
                .desks: "\(files.configuration.concerns?.desks.count ?? 0)",
                .ms: "\((ContinuousClock.now - started).milliseconds)",
            ]))
    }

    /// The settings files, or the startup error that stops the daemon: a directory that cannot
    /// be used would have the next case recorded, acked and sent to nobody, so the daemon
    /// refuses to start and systemd shows why (RestartPreventExitStatus=78). What is only
    /// partly wrong (rows left out, areas the tree does not know) is said line by line.
    static func loadSettings(configPath: String, logger: Logger) throws -> SettingsFiles {
        let files: SettingsFiles
        do {
            files = try SettingsFiles.load(configPath: configPath)
        } catch {
            throw StartupError(problems: error.problems, exitCode: 78)
        }
        if let refusal = files.directoryRefusal {
            throw StartupError(
                problems: ["\(files.configuration.cooperators): \(refusal); fix it (mimamori check-config) and start again"],
                exitCode: 78)
        }
        for problem in files.problemsBesideRows { logger.warning("settings.problem", metadata: .keys([.reason: .string(problem)])) }
        for warning in files.configuration.startWarnings {
            logger.warning("\(warning.event)", metadata: .keys([.reason: .string(warning.reason)]))
        }
        for row in files.refusedRows {
            logger.error(
                "directory.row-refused",
                metadata: .keys([.line: "\(row.line)", .recipient: .string(row.id ?? "-"), .reason: .string(row.message)]))
        }
        for area in files.unknownAreas {
            logger.notice("directory.unknown-area", metadata: .keys([.line: "\(area.line)", .recipient: "\(area.id)"]))
        }
        return files
    }

    /// How long the daemon waits between tries to reach the broker at start.
    static let brokerBackoff = Backoff.exponential(initial: .milliseconds(250), maximum: .seconds(10))

    static func connectWithBackoff(
        _ configuration: AMQPConfiguration, topology: AMQPTopology, notifier: SystemdNotifier, logger: Logger,
        onConnectionChange: @escaping @Sendable (Bool) -> Void
    ) async throws -> AMQPConnection {
        var attempt = 1
        while true {
            do {
                return try await AMQPConnection.connect(
                    configuration, topology: topology, logger: Logger(label: "mimamori.amqp"), onConnectionChange: onConnectionChange)
            } catch {
                guard error.isRetriable else {
                    throw StartupError(problems: ["broker: \(error.withSettingsHint)"], exitCode: 69)
                }
                let delay = brokerBackoff.delay(afterAttempt: attempt)
                logger.error(
                    "broker.unavailable",
                    metadata: .keys([.attempt: "\(attempt)", .code: "\(error.code)", .delayMs: "\(delay.milliseconds)"]))
                notifier.status("waiting for the broker (attempt \(attempt))")
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// The confirmation endpoint; the pages name the town as the settings name it now.
    static func confirmEndpoint(
        _ confirm: Configuration.Confirm, ledger: any ConfirmationStore, settings: SettingsStore, metrics: DaemonMetrics,
        faxStatus: FaxStatusWebhook?
    ) throws -> ConfirmEndpoint {
        guard let endpoint = ConfirmEndpoint.Configuration(listen: confirm.listen) else {
            throw StartupError(problems: ["confirm.listen: expected HOST:PORT, got \(confirm.listen)"], exitCode: 78)
        }
        return ConfirmEndpoint(
            configuration: endpoint, store: ledger, town: { settings.settings.configuration.town },
            logger: Logger(label: "mimamori.confirm"), metrics: metrics,
            faxStatus: faxStatus.map(Self.route))
    }

    /// The FAX service's status webhook as the endpoint's `POST /fax/status`.
    static func route(_ webhook: FaxStatusWebhook) -> ConfirmEndpoint.FaxStatus {
        { body, headers in await webhook.receive(body: body, headers: headers, now: Date()) }
    }

    /// `metrics.listen` as the endpoint's address; nil when it is off.
    static func metricsListen(_ listen: String) throws -> MetricsEndpoint.Configuration? {
        guard !listen.isEmpty, listen != "off" else { return nil }
        let parts = listen.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw StartupError(problems: ["metrics.listen: expected HOST:PORT, got \(listen)"], exitCode: 78)
        }
        return .init(host: String(parts[0]), port: port)
    }

    static func metricsEndpoint(
        _ listen: String, registry: PrometheusCollectorRegistry, ledger: any CaseReports, connection: AMQPConnection,
        intake: IntakeService, dispatcher: Dispatcher, settings: SettingsStore, confirm: ConfirmEndpoint?,
        forwarder: PartnerForwarder?, active: Bool = false, logger: Logger
    ) throws -> MetricsEndpoint? {
        guard let endpoint = try metricsListen(listen) else { return nil }
        return MetricsEndpoint(configuration: endpoint, registry: registry, logger: Logger(label: "mimamori.metrics")) {
            await health(
                ledger: ledger, connection: connection, intake: intake, dispatcher: dispatcher, settings: settings, confirm: confirm,
                forwarder: forwarder, active: active)
        }
    }
}

/// Sends `WATCHDOG=1` when the dispatcher's loops go round, at most twice per watchdog interval:
/// a stuck loop stops the pings and systemd restarts us.
final class WatchdogPinger: Sendable {
    private let notifier: SystemdNotifier
    private let minimumGap: Duration?
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(notifier: SystemdNotifier, interval: Duration?) {
        self.notifier = notifier
        self.minimumGap = interval.map { $0 / 4 }
    }

    func beat() {
        guard let minimumGap else { return }
        let now = ContinuousClock.now
        let due = last.withLock { last in
            if let previous = last, now - previous < minimumGap { return false }
            last = now
            return true
        }
        if due { notifier.watchdog() }
    }
}

import Foundation
import Logging
import MimamoriCore
import MimamoriService
import ServiceLifecycle
import UnixSignals

/// SIGHUP: read settings, directory, templates, publisher keys and credentials again. A file
/// that fails keeps the old settings in force, and each problem is logged; nothing in flight is
/// dropped. A key the running daemon cannot take (its queue, connections, outlets) keeps its
/// running value with one `settings.restart-needed` line, and the rest applies in the same reload.
public struct ReloadService: Service {
    /// What the daemon's parts take from a reload beyond the intake's settings: the retry policy,
    /// the credentials. Returns the credentials that changed and those that need a restart.
    public typealias Apply = @Sendable (Configuration, Credentials) -> (changed: [String], restartNeeded: [String])

    private let configPath: String
    private let credentialsDirectory: String?
    private let store: SettingsStore
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let signals: UnixSignalsSequence?
    private let apply: Apply

    /// `signals`: a SIGHUP sequence trapped earlier (before READY=1), so that no SIGHUP between
    /// start-up and `run()` is lost or, worse, ends the process; nil traps SIGHUP in `run()`.
    public init(
        configPath: String, credentialsDirectory: String? = nil, store: SettingsStore, notifier: SystemdNotifier,
        logger: Logger, signals: UnixSignalsSequence? = nil, apply: @escaping Apply = { _, _ in ([], []) }
    ) {
        self.configPath = configPath
        self.credentialsDirectory = credentialsDirectory
        self.store = store
        self.notifier = notifier
        self.logger = logger
        self.signals = signals
        self.apply = apply
    }

    public func run() async throws {
        let signals: UnixSignalsSequence
        if let trapped = self.signals {
            signals = trapped
        } else {
            signals = await UnixSignalsSequence(trapping: .sighup)
        }
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            reload()
            notifier.send(["READY=1"])
        }
    }

    public func reload() {
        let files: SettingsFiles
        do {
            files = try SettingsFiles.load(configPath: configPath, running: store.settings.configuration)
        } catch {
            for problem in error.problems { logger.error("settings.problem", metadata: .keys([.reason: .string(problem)])) }
            logger.error("settings.kept", metadata: .keys([.file: .string(configPath), .count: "\(error.problems.count)"]))
            return
        }
        if !files.problems.isEmpty {
            for problem in files.problems { logger.error("settings.problem", metadata: .keys([.reason: .string(problem)])) }
            logger.error("settings.kept", metadata: .keys([.file: .string(configPath), .count: "\(files.problems.count)"]))
            return
        }
        let credentials = apply(files.configuration, Credentials.load(directory: credentialsDirectory))
        store.replace(with: CaseIntake.Settings(files: files))
        for needed in files.restartNeeded {
            logger.warning("settings.restart-needed", metadata: .keys([.key: .string(needed.key), .reason: .string(needed.reason)]))
        }
        for name in credentials.restartNeeded {
            logger.warning(
                "settings.restart-needed",
                metadata: .keys([
                    .key: .string("credential \(name)"),
                    .reason: "added or removed since the start; the running outlets were built without it",
                ]))
        }
        logger.notice(
            "settings.reloaded",
            metadata: .keys([
                .file: .string(configPath), .count: "\(files.directory.active.count)",
                .fax: "\(files.directory.active.filter { $0.channel == .fax }.count)",
                .email: "\(files.directory.active.filter { $0.channel == .email }.count)",
                .credentials: .string(credentials.changed.isEmpty ? "-" : credentials.changed.joined(separator: ",")),
                .restartNeeded: "\(files.restartNeeded.count + credentials.restartNeeded.count)",
            ]))
    }
}

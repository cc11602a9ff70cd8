import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP: read settings, directory, templates and publisher keys again. A file that fails keeps
/// the old settings in force, and each problem is logged; nothing in flight is dropped.
public struct ReloadService: Service {
    private let configPath: String
    private let store: SettingsStore
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let signals: UnixSignalsSequence?

    /// `signals`: a SIGHUP sequence trapped earlier (before READY=1), so that no SIGHUP between
    /// start-up and `run()` is lost or, worse, ends the process; nil traps SIGHUP in `run()`.
    public init(
        configPath: String, store: SettingsStore, notifier: SystemdNotifier, logger: Logger,
        signals: UnixSignalsSequence? = nil
    ) {
        self.configPath = configPath
        self.store = store
        self.notifier = notifier
        self.logger = logger
        self.signals = signals
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
            files = try SettingsFiles.load(configPath: configPath)
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
        store.replace(with: CaseIntake.Settings(files: files))
        logger.notice(
            "settings.reloaded",
            metadata: .keys([
                .file: .string(configPath), .count: "\(files.directory.active.count)",
                .fax: "\(files.directory.active.filter { $0.channel == .fax }.count)",
                .email: "\(files.directory.active.filter { $0.channel == .email }.count)",
            ]))
    }
}

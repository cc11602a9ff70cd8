import Foundation
import Ledger
import MimamoriCore
import Synchronization
import TestFixtures

/// Everything one end-to-end test needs around the real daemon: the test broker (from the
/// environment), its own aiosmtpd, a settings folder with its own municipality, the police
/// side's publisher. `withDaemonRig` tears it all down whatever happens: daemons killed, the
/// test's queues deleted, servers stopped, folders removed.
final class DaemonRig: Sendable {
    let broker: Broker
    let smtp: SMTPServer
    let folder: DaemonFolder
    let publisher: CasePublisher
    private let daemons = Mutex<[DaemonProcess]>([])

    private init(broker: Broker, smtp: SMTPServer, folder: DaemonFolder, publisher: CasePublisher) {
        self.broker = broker
        self.smtp = smtp
        self.folder = folder
        self.publisher = publisher
    }

    static func make(
        broker given: Broker? = nil, options: DaemonFolder.Options = .init(), smtp smtpOptions: SMTPServer.Options = .init(),
        cooperators: [DaemonFolder.Cooperator]
    ) async throws -> DaemonRig {
        let broker = try given ?? Broker.fromEnvironment()
        let smtp = try SMTPServer(smtpOptions)
        do {
            let folder = try DaemonFolder(broker: broker, smtp: smtp, options: options)
            try folder.writeCooperators(cooperators)
            let publisher = try await CasePublisher(broker: broker, folder: folder)
            return DaemonRig(broker: broker, smtp: smtp, folder: folder, publisher: publisher)
        } catch {
            smtp.stop()
            throw error
        }
    }

    /// Starts a `mimamorid` on this folder (with `NOTIFY_SOCKET` when given; `executable`: another
    /// binary than the build's).
    func startDaemon(
        notify: NotifySocket? = nil, environment: [String: String] = [:], executable: String? = nil, settings: String? = nil
    ) throws -> DaemonProcess {
        var environment = environment
        if let notify { environment["NOTIFY_SOCKET"] = notify.path }
        let daemon = try DaemonProcess(folder: folder, environment: environment, executable: executable, settings: settings)
        daemons.withLock { $0.append(daemon) }
        return daemon
    }

    /// Starts a daemon and waits until it consumes its queue.
    func startConsuming(notify: NotifySocket? = nil, environment: [String: String] = [:]) async throws -> DaemonProcess {
        let daemon = try startDaemon(notify: notify, environment: environment)
        try await daemon.waitForLine(event: "intake.consuming")
        return daemon
    }

    func finish() async {
        for daemon in daemons.withLock({ $0 }) { await daemon.kill() }
        await publisher.finish()
        smtp.stop()
        folder.remove()
    }

    // MARK: Reading the ledger

    /// The daemon's ledger, opened by the test alongside it (WAL: readers never block it).
    func ledger() throws -> Ledger { try Ledger(path: folder.ledgerPath) }

    /// The daemon's ledger behind its roles, whichever backend the settings name.
    func caseLedger() async throws -> any CaseLedger {
        var settings = Configuration.Ledger()
        settings.path = folder.ledgerPath
        settings.url = folder.options.postgres?.url
        return try await Ledger.open(settings, password: folder.options.postgres?.password)
    }

    /// Deliveries of `caseID` by "kind/state".
    func states(_ caseID: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in try await caseLedger().report(case: CaseID(caseID)) {
            counts["\(line.kind.rawValue)/\(line.state.rawValue)", default: 0] += 1
        }
        return counts
    }

    /// Waits until no delivery of `kinds` is planned or in flight (and at least one exists).
    func waitUntilSettled(_ caseID: String, kinds: [String], daemon: DaemonProcess?, timeout: Duration = .seconds(90)) async throws {
        let ledger = try await caseLedger()
        try await waitUntil(
            "no \(kinds) delivery of \(caseID) is planned or sending", timeout: timeout, daemon: daemon, every: .milliseconds(100)
        ) {
            let lines = try await ledger.report(case: CaseID(caseID)).filter { kinds.contains($0.kind.rawValue) }
            // Every kind planned: an event just published may not be taken in yet, and the kinds
            // before it alone would look settled.
            let planned = Set(lines.map(\.kind.rawValue))
            return kinds.allSatisfy(planned.contains) && lines.allSatisfy { $0.state != .planned && $0.state != .sending }
        }
    }

    /// Waits until the SMTP server holds at least `count` messages.
    func waitForMail(_ count: Int, daemon: DaemonProcess?, timeout: Duration = .seconds(90)) async throws {
        try await waitUntil(
            "the SMTP server holds \(count) messages (has \(smtp.receivedCount()))", timeout: timeout, daemon: daemon,
            every: .milliseconds(50)
        ) {
            self.smtp.receivedCount() >= count
        }
    }

    /// Rows of a SQL query against the ledger file, through the sqlite3 command-line tool
    /// (read-only): an independent look at what the daemon committed.
    func sql(_ query: String) throws -> [String] {
        let output = try runTool("/usr/bin/sqlite3", ["-readonly", folder.ledgerPath, query])
        return output.split(separator: "\n").map(String.init)
    }

    /// `mimamori ARGS --config FOLDER/mimamori.yaml`: the operator's CLI, as a process.
    func cli(_ arguments: [String]) throws -> String {
        // The commands find the ledger-password credential where systemd would put it.
        var environment = ProcessInfo.processInfo.environment
        environment["CREDENTIALS_DIRECTORY"] = folder.credentialsDirectory.path
        let run = try runProcess(
            try DaemonProcess.binary("mimamori"), arguments + ["--config", folder.settingsPath], environment: environment)
        guard run.status == 0 else {
            throw FixtureError("mimamori \(arguments.joined(separator: " ")) exited \(run.status): \(run.stderr)")
        }
        return run.stdout
    }
}

/// Runs a tool to its end and returns its stdout; fails with its stderr when it exits non-zero.
func runTool(_ path: String, _ arguments: [String]) throws -> String {
    let run = try runProcess(path, arguments)
    guard run.status == 0 else {
        throw FixtureError("\(path) \(arguments.joined(separator: " ")) exited \(run.status): \(run.stderr)")
    }
    return run.stdout
}

/// Runs a tool to its end: its exit status and what it printed. `environment`: the tool's whole
/// environment (nil: this process's).
func runProcess(
    _ path: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
    guard FileManager.default.isExecutableFile(atPath: path) else { throw FixtureError("\(path) is missing") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting: a full pipe would block the tool.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// Runs `body` with a fresh rig and always tears it down.
func withDaemonRig<T: Sendable>(
    broker: Broker? = nil, options: DaemonFolder.Options = .init(), smtp: SMTPServer.Options = .init(),
    cooperators: [DaemonFolder.Cooperator], _ body: (DaemonRig) async throws -> T
) async throws -> T {
    let rig = try await DaemonRig.make(broker: broker, options: options, smtp: smtp, cooperators: cooperators)
    do {
        let result = try await body(rig)
        await rig.finish()
        return result
    } catch {
        await rig.finish()
        throw error
    }
}

import Foundation
import Logging
import Synchronization
import Testing

@testable import MimamoriDaemon

#if canImport(Glibc)
    import Glibc
#endif

/// Under systemd each journal line carries its priority, so `journalctl -p warning` shows what
/// needs a person and a burst of info lines is rate-limited apart from the errors.
@Suite struct JournalPriorityTests {
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func eachLevelStartsWithItsSyslogPriorityOnlyForTheJournal() {
        for journal in [true, false] {
            let lines = Lines()
            var logger = Logger(label: "test") { label in
                LogfmtLogHandler(label: label, level: .trace, sink: LogSink { lines.append($0) }, priorityPrefix: journal)
            }
            logger.logLevel = .trace
            logger.debug("a")
            logger.info("b")
            logger.notice("c")
            logger.warning("d")
            logger.error("e")
            logger.critical("f")
            let expected = zip(["7", "6", "5", "4", "3", "2"], ["debug", "info", "notice", "warning", "error", "critical"])
                .enumerated().map { index, pair in
                    (journal ? "<\(pair.0)>" : "") + "level=\(pair.1) event=\(["a", "b", "c", "d", "e", "f"][index])\n"
                }
            #expect(lines.all == expected)
        }
    }

    @Test func journalStreamIsTheDeviceAndInodeOfStdout() {
        #expect(JournalStream.named(by: ["JOURNAL_STREAM": "8:12345"])! == (8, 12345))
        for bad in ["", "8", "8:", ":1", "a:b", "8:1:2"] {
            #expect(JournalStream.named(by: ["JOURNAL_STREAM": bad]) == nil, "\(bad)")
        }
        #expect(!JournalStream.isStandardOutput(environment: [:]))
        // Inherited from a shell that was itself started by systemd: another stream than ours.
        #expect(!JournalStream.isStandardOutput(environment: ["JOURNAL_STREAM": "1:2"]))
    }

    /// The real binary, its stdout a pipe that `JOURNAL_STREAM` names (as systemd names the
    /// journal's socket), and the same with a stream that is not its stdout.
    @Test func theDaemonsLinesCarryTheirPriorityOnlyWhenStdoutIsTheJournal() throws {
        for named in [true, false] {
            let pipe = Pipe()
            var status = stat()
            #expect(fstat(pipe.fileHandleForWriting.fileDescriptor, &status) == 0)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try DaemonProcess.binary("mimamorid"))
            let missing = FileManager.default.temporaryDirectory.appendingPathComponent("mimamori-no-such-\(UUID().uuidString)")
            process.arguments = ["--config", missing.appendingPathComponent("mimamori.yaml").path, "--credentials", missing.path]
            var environment = ProcessInfo.processInfo.environment
            environment["JOURNAL_STREAM"] = named ? "\(status.st_dev):\(status.st_ino)" : "\(status.st_dev):\(status.st_ino + 1)"
            process.environment = environment
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            try pipe.fileHandleForWriting.close()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 78)
            let prefix = named ? "<2>level=critical event=startup.failed " : "level=critical event=startup.failed "
            #expect(output.hasPrefix(prefix), "\(output)")
        }
    }
}

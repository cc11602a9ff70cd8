import Foundation
import Ledger
import MimamoriCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 of a process writing to the ledger: everything it reported committed is there, and
/// the transaction it was in the middle of is either all there or not at all.
@Suite("Ledger crash")
struct LedgerCrashTests {
    static let childVariable = "MIMAMORI_LEDGER_CRASH_CHILD_DB"

    /// Runs only as the child process started by `killedWriterLosesNothing`.
    @Test("crash child: writes intakes until killed (does nothing in a normal run)")
    func crashChildWriter() async throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        let ledger = try Ledger(path: path)
        for i in 0..<100_000 {
            _ = try await ledger.recordIntake(
                makeIntake(case: CaseID("C-\(i)"), messageID: "m-\(i)", fax: 0, email: 200, radio: false))
            // Unbuffered: the parent must see each line as soon as the commit returned.
            FileHandle.standardOutput.write(Data("committed \(i)\n".utf8))
        }
    }

    @Test("kill -9 of a writer loses nothing it committed and leaves no half transaction")
    func killedWriterLosesNothing() async throws {
        let fixture = try SQLiteLedgerFile()
        defer { fixture.remove() }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChildWriter"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: fixture.path]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Read the child's "committed N" lines until it has committed 25, then kill -9 it mid-write.
        let reader = output.fileHandleForReading
        let lastReported: Int = await Task.detached {
            var buffer = Data()
            var last = -1
            while last < 25 {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    if line.hasPrefix("committed "), let n = Int(line.dropFirst(10)) { last = n }
                }
            }
            return last
        }.value
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(lastReported >= 25, "the child never got going")

        let ledger = try fixture.reopen()
        var present = 0
        for i in 0..<(lastReported + 50) {
            let deliveries = try await ledger.report(case: CaseID("C-\(i)")).count
            if i <= lastReported { #expect(deliveries == 200, "intake \(i) was reported committed") }
            #expect(deliveries == 0 || deliveries == 200, "intake \(i) is half written")
            if deliveries > 0 { present += 1 }
        }
        print("figure: child killed after reporting \(lastReported + 1) commits; \(present) intakes on disk")
    }
}

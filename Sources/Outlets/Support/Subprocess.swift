import Foundation

#if canImport(Glibc)
    import Glibc
    import Timing
#endif

/// Runs a helper program (pdftoppm, sendfax, a TTS command) with a time limit. Output goes to a
/// temporary file rather than a pipe, so a chatty program can never block on a full pipe.
enum Subprocess {
    struct Outcome: Sendable {
        var status: Int32
        /// stdout and stderr, cut to `keep` bytes (4 KiB unless asked): for parsing a job id or a
        /// queue listing, never for logs.
        var output: String
    }

    /// The absolute path of `name` (as given when it contains a slash, else searched in PATH).
    static func locate(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Blocks the calling thread; call it from a dedicated thread (`runDetached`), never from
    /// the cooperative pool.
    static func run(_ argv: [String], timeout: Duration, what: String, keep: Int = 4096) throws(OutletError) -> Outcome {
        guard let name = argv.first, let executable = locate(name) else {
            throw .configuration(
                "\(what): program \(argv.first ?? "(none)") not found",
                hint: "install it or set its full path in mimamori.yaml")
        }
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("mimamori-subprocess-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            let output = try? FileHandle(forWritingTo: outputURL)
        else { throw failure(what, "cannot create a temporary file") }
        defer {
            try? output.close()
            try? FileManager.default.removeItem(at: outputURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { throw failure(what, "could not start \(name)") }
        let seconds = timeout.inSeconds
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            throw OutletError(
                code: .subprocessFailed, isRetriable: true, message: "\(what): \(name) ran past its timeout",
                operatorHint: "check that \(name) works when run by hand; raise its timeout if it is just slow")
        }
        let bytes = (try? Data(contentsOf: outputURL)) ?? Data()
        return Outcome(status: process.terminationStatus, output: String(decoding: bytes.prefix(keep), as: UTF8.self))
    }

    /// `run` on a thread of its own, awaited without blocking the caller's executor.
    static func runDetached(_ argv: [String], timeout: Duration, what: String, keep: Int = 4096) async throws(OutletError)
        -> Outcome
    {
        try await DedicatedThread.run(name: what) { () throws(OutletError) in
            try run(argv, timeout: timeout, what: what, keep: keep)
        }
    }

    static func failure(_ what: String, _ message: String) -> OutletError {
        OutletError(
            code: .subprocessFailed, isRetriable: true, message: "\(what): \(message)",
            operatorHint: "check the program's settings and the machine's temporary folder")
    }
}

import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import Synchronization
import TestFixtures
import Testing

/// The endpoint's extra route for the FAX service's status webhook, and the request bounds the
/// endpoint shares with /metrics, on a real port with a real (empty) ledger.
@Suite("confirm endpoint: the /fax/status hook and the body bounds (real HTTP)", .serialized)
struct ConfirmEndpointHookTests {
    typealias Seen = (body: [UInt8], headers: [String: String])

    /// Runs an endpoint on a free port for `body`, then stops it.
    static func withEndpoint(
        faxStatus: ConfirmEndpoint.FaxStatus?, _ body: (Int) async throws -> Void
    ) async throws {
        let folder = try ServerProcess.temporaryDirectory("confirm-hook")
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = Configuration.Ledger()
        settings.path = folder.appendingPathComponent("ledger.sqlite").path
        let ledger = try await Ledger.open(settings)
        let port = try LoopbackPort.free()
        let town = Configuration.Town(name: "見守町", department: "福祉課", phone: "073-555-0000")
        let endpoint = ConfirmEndpoint(
            configuration: .init(host: "127.0.0.1", port: UInt16(port)), store: ledger, town: { town },
            logger: .init(label: "test"), faxStatus: faxStatus)
        let task = Task { try await endpoint.run() }
        defer { task.cancel() }
        try await waitUntil("the endpoint listens on \(port)", timeout: .seconds(20), daemon: nil, every: .milliseconds(50)) {
            (try? runProcess("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/c/"]))?.status == 0
        }
        try await body(port)
    }

    static func curl(_ arguments: [String], port: Int, path: String) throws -> ConfirmPageAnswer {
        try ConfirmPageAnswer(
            curlOutput: runTool("/usr/bin/curl", ["-sS", "-i", "--max-time", "10"] + arguments + ["http://127.0.0.1:\(port)\(path)"]))
    }

    @Test("POST /fax/status reaches the hook with its body and headers and answers what it returns; a GET is 405")
    func hook() async throws {
        let seen = Mutex<[Seen]>([])
        let faxStatus: ConfirmEndpoint.FaxStatus = { body, headers in
            seen.withLock { $0.append((body, headers)) }
            return (202, "recorded")
        }
        try await Self.withEndpoint(faxStatus: faxStatus) { port in
            let report = #"{"job":"J-1","status":"transmitted"}"#
            let answer = try Self.curl(
                ["-X", "POST", "-H", "Content-Type: application/json", "-H", "X-Fax-Signature: abc123", "--data", report], port: port,
                path: "/fax/status")
            #expect(answer.status == 202 && answer.body == "recorded\n", "\(answer)")
            let calls = seen.withLock { $0 }
            #expect(calls.count == 1)
            #expect(calls.first.map { String(decoding: $0.body, as: UTF8.self) } == report)
            #expect(calls.first?.headers["x-fax-signature"] == "abc123")
            #expect(calls.first?.headers["content-type"] == "application/json")
            let get = try Self.curl([], port: port, path: "/fax/status")
            #expect(get.status == 405)
            // A body over 1 KiB is refused before the hook sees it.
            let large = try Self.curl(["-X", "POST", "--data", String(repeating: "x", count: 1025)], port: port, path: "/fax/status")
            #expect(large.status == 413, "\(large)")
            #expect(seen.withLock { $0.count } == 1)
        }
    }

    @Test("without a hook /fax/status is the plain 404 page; a chunked body is refused (411)")
    func noHook() async throws {
        try await Self.withEndpoint(faxStatus: nil) { port in
            let answer = try Self.curl(["-X", "POST", "--data", "{}"], port: port, path: "/fax/status")
            #expect(answer.status == 404 && answer.body.contains("見守町"), "\(answer)")
            let chunked = try Self.curl(
                ["-X", "POST", "-H", "Transfer-Encoding: chunked", "--data", "x"], port: port, path: "/c/ZZZZ-ZZZZ-ZZZZ/received")
            #expect(chunked.status == 411, "\(chunked)")
        }
    }
}

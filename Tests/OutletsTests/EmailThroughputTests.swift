import Foundation
import Logging
import TestFixtures
import Testing
import Timing

@testable import Outlets

/// Figures for the closing note and `make bench`: printed, never asserted (timings vary with the
/// machine's load). Run with `MIMAMORI_BENCH=1`, preferably on a release build.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MIMAMORI_BENCH"] != nil))
struct EmailThroughputTests {
    static let count = 2000

    func measure(url: String, sessions: Int) async throws -> Double {
        let outlet = try EmailOutlet(
            configuration: .init(url: url, sessions: sessions), logger: Logger(label: "bench"))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<Self.count {
                group.addTask {
                    try await outlet.send(Samples.email(to: "vol-\(n)@example.net", key: "bench/\(n)"))
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        await outlet.shutdown()
        let seconds = elapsed.inSeconds
        return Double(Self.count) / seconds
    }

    /// The per-message work that is not SMTP: building the MIME text.
    @Test func renderingOnly() throws {
        let start = ContinuousClock.now
        var bytes = 0
        for n in 0..<Self.count {
            bytes += try MIMEMessage(Samples.email(to: "vol-\(n)@example.net", key: "bench/\(n)")).rendered().count
        }
        let elapsed = ContinuousClock.now - start
        let seconds = elapsed.inSeconds
        print(
            "bench: MIME rendering alone, \(Self.count) messages of \(bytes / Self.count) bytes: \(Int(Double(Self.count) / seconds)) msg/s on one thread"
        )
    }

    @Test func aiosmtpdSink() async throws {
        let server = try SMTPServer(.init(discard: true))
        defer { server.stop() }
        for sessions in [1, 8] {
            let rate = try await measure(url: server.url, sessions: sessions)
            print("bench: aiosmtpd discard, \(Self.count) messages, \(sessions) session(s): \(Int(rate)) msg/s")
        }
    }

    @Test func postfixSmtpSink() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        for sessions in [1, 8] {
            let rate = try await measure(url: sink.url, sessions: sessions)
            print("bench: postfix smtp-sink, \(Self.count) messages, \(sessions) session(s): \(Int(rate)) msg/s")
        }
    }
}

import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One delivery that never finishes (the FAX service hangs on one number) and a daemon killed
/// while it is in flight, again and again: the delivery is given up as a crash loop and alarmed,
/// the rest of the channel is delivered.
@Suite("crash loop: a FAX that hangs through four kill -9 (real mimamorid, FAX API, broker, SMTP)", .serialized)
struct DaemonCrashLoopTests {
    static let institutions = 3
    static let kills = 4

    @Test(
        "the FAX API never answers one number; kill -9 four times while it is in flight: at the next start it is failed crash-loop with an alarm, the other FAXes and the email are delivered"
    )
    func hangingFaxThroughFourKills() async throws {
        let fax = try HTTPReceiver()
        defer { fax.stop() }
        // fax-001's number (073-555-2001) as the service receives it (E.164).
        let hanging = "+81735552001"
        try fax.hang(on: [hanging])
        var options = DaemonFolder.Options()
        options.faxAPI = fax.url("/v1/faxes")
        let cooperators = DaemonFolder.cooperators(email: 2, fax: Self.institutions)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            var daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            func requests(to number: String) -> Int {
                ((try? fax.requests()) ?? []).filter { request in request.parts?.contains { $0.text == number } ?? false }.count
            }
            for kill in 1...Self.kills {
                // In flight: the service has the request (one more each start) and sits on it.
                try await waitUntil("the FAX API holds request \(kill) for the hanging number", timeout: .seconds(60), daemon: daemon) {
                    requests(to: hanging) >= kill
                }
                #expect(try rig.deliveryStates()["fax/sending"] ?? 0 >= 1)
                daemon.signal(SIGKILL)
                #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .signal(SIGKILL))
                daemon = try rig.startDaemon()
            }
            let failed = try await daemon.waitForLine(event: "delivery.failed", containing: ["code=crash-loop"])
            #expect(failed.contains("recipient=fax-001") && failed.contains("channel=fax"), "\(failed)")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            #expect(
                try await rig.states(sample.caseID) == ["alert/delivered": Self.institutions - 1 + 2, "alert/failed": 1])
            let report = try await rig.ledger().report(case: .init(sample.caseID))
            #expect(report.first { $0.recipient.rawValue == "fax-001" }?.lastErrorCode == "crash-loop")
            #expect(requests(to: hanging) == Self.kills, "the hanging FAX was tried again after it was given up")
            // The operator's alarm went out, and the ledger owes none.
            try await rig.waitForAlarm(daemon: daemon)
            try await waitUntil("the ledger owes no alarm", daemon: daemon) {
                try rig.sql("SELECT count(*) FROM deliveries WHERE state = 'failed' AND alarmed_at IS NULL") == ["0"]
            }
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

extension DaemonRig {
    /// Waits until an operator alarm (a mail to operator.alarm-email) reached the SMTP server.
    func waitForAlarm(daemon: DaemonProcess) async throws {
        try await waitUntil("an alarm mail reached ops@town.example.jp", timeout: .seconds(60), daemon: daemon, every: .milliseconds(100)) {
            try self.smtp.received().contains { $0.rcpt_tos.contains("ops@town.example.jp") }
        }
    }
}

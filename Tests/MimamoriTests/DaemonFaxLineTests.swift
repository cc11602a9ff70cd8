import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import Outlets
import TestFixtures
import Testing

@Suite("The real daemon keeps each FAX job's id for the status webhook", .serialized)
struct DaemonFaxLineTests {
    @Test("HTTP API: the job id the service answered is kept; a signed report by it records the transmission")
    func jobIDsKeptAndReported() async throws {
        let fax = try HTTPReceiver()
        defer { fax.stop() }
        var options = DaemonFolder.Options()
        options.faxAPI = fax.url("/v1/faxes")
        let cooperators = DaemonFolder.cooperators(email: 1, fax: 2)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            // The service answered {"id": "job-N"}; each FAX keeps the id of its own request.
            let requests = try fax.requests()
            #expect(requests.count == 2)
            let sentKeys = Set(
                requests.compactMap { request in
                    request.headers.first { $0.key.lowercased() == "idempotency-key" }?.value
                })
            let kept = try rig.sql("SELECT idempotency_key || ' ' || fax_job FROM deliveries WHERE channel = 'fax' ORDER BY id")
            #expect(kept.count == 2)
            #expect(Set(kept.map { String($0.split(separator: " ")[0]) }) == sentKeys)
            #expect(kept.allSatisfy { $0.split(separator: " ").last?.hasPrefix("job-") == true })

            let ledger = try rig.ledger()
            let webhook = FaxStatusWebhook(ledger: ledger, key: Credential("k"), spacing: FaxLineSpacing())
            let job = try #require(kept.first?.split(separator: " ").last.map(String.init))
            let body = Array(#"{"job_id":"\#(job)","status":"transmitted","pages":1}"#.utf8)
            let answer = await webhook.receive(
                body: body, headers: ["X-Mimamori-Signature": FaxStatusWebhook.signature(body: body, key: "k")], now: Date())
            #expect(answer.status == 200)
            let report = try await ledger.report(case: .init(sample.caseID)).filter { $0.channel == .fax }
            #expect(report.filter { $0.transmission == "transmitted" }.count == 1)
            #expect(report.allSatisfy { $0.state == .delivered && $0.acceptedAt != nil })
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

import Foundation
import Ledger
import MimamoriCore
import Outlets
import Testing

@testable import MimamoriService

@Suite("The FAX service's status webhook against the real ledger")
struct FaxStatusWebhookTests {
    static let key = "fax-webhook-test-key-5b1f"
    static let caseID = CaseID("KN-0042")

    struct Rig {
        let file: LedgerFile
        let webhook: FaxStatusWebhook
        let log: CapturedLog
        /// The FAXes of the alert, accepted at `t0 + 10 s` as jobs `fx-0`, `fx-1`, ….
        let jobs: [DeliveryJob]

        func send(_ json: String, key: String = FaxStatusWebhookTests.key, header: String = "X-Mimamori-Signature", at: Date)
            async -> (status: Int, text: String)
        {
            let body = Array(json.utf8)
            return await webhook.receive(
                body: body, headers: [header: FaxStatusWebhook.signature(body: body, key: key), "Content-Type": "application/json"],
                now: at)
        }

        func line(_ id: DeliveryID) async throws -> ReportLine {
            try #require(try await file.ledger.report(case: FaxStatusWebhookTests.caseID).first { $0.deliveryID == id })
        }
    }

    static func rig(fax: Int = 2) async throws -> Rig {
        let file = try LedgerFile()
        _ = try await file.ledger.recordIntake(alertIntake(fax: fax, email: 0))
        let jobs = try await file.ledger.claimDue(now: t0, channel: .fax, limit: 10)
        for (index, job) in jobs.enumerated() {
            try await file.ledger.recordFaxJob("fx-\(index)", for: job.id)
            try await file.ledger.record(.delivered(at: t0.addingTimeInterval(10)), for: job.id)
        }
        let log = CapturedLog()
        let webhook = FaxStatusWebhook(ledger: file.ledger, key: Credential(key), spacing: FaxLineSpacing(), logger: log.logger)
        return Rig(file: file, webhook: webhook, log: log, jobs: jobs)
    }

    @Test("signed and transmitted: recorded, and the report shows accepted and transmitted apart; a replay changes nothing")
    func transmittedAndReplayed() async throws {
        let rig = try await Self.rig()
        defer { rig.file.remove() }
        let job = rig.jobs[0]
        let json = #"{"idempotency_key":"\#(job.idempotencyKey)","status":"transmitted","pages":1,"time":"2026-11-18T06:00:00+09:00"}"#
        let first = await rig.send(json, at: t0.addingTimeInterval(90))
        #expect(first.status == 200 && first.text == "recorded\n")
        let line = try await rig.line(job.id)
        #expect(line.acceptedAt == t0.addingTimeInterval(10))
        #expect(line.transmission == "transmitted")
        #expect(line.transmittedAt == Timestamp.parse("2026-11-18T06:00:00+09:00"))

        let replay = await rig.send(json, at: t0.addingTimeInterval(120))
        #expect(replay.status == 200 && replay.text == "already recorded\n")
        #expect(try await rig.line(job.id) == line)
        let audit = try await rig.file.ledger.audit(case: Self.caseID).filter { $0.event.hasPrefix("fax.") }
        #expect(audit.count == 1)
        // The other FAX is untouched.
        #expect(try await rig.line(rig.jobs[1].id).transmission == nil)
    }

    @Test("a wrong, missing or malformed signature is refused with 401 and changes nothing")
    func badSignatures() async throws {
        let rig = try await Self.rig()
        defer { rig.file.remove() }
        let json = #"{"job_id":"fx-0","status":"transmitted"}"#
        #expect(await rig.send(json, key: "another-key", at: t0).status == 401)
        let body = Array(json.utf8)
        let good = FaxStatusWebhook.signature(body: body, key: Self.key)
        let hex = String(good.dropFirst("sha256=".count))
        let variants: [[String: String]] = [
            [:], ["X-Mimamori-Signature": ""], ["X-Mimamori-Signature": hex], ["X-Mimamori-Signature": "sha1=" + hex],
            ["X-Mimamori-Signature": String(good.dropLast())], ["X-Mimamori-Signature": String(good.dropLast(2)) + "zz"],
        ]
        for headers in variants {
            #expect(await rig.webhook.receive(body: body, headers: headers, now: t0).status == 401, "\(headers)")
        }
        // The body changed after signing.
        let tampered = Array(#"{"job_id":"fx-1","status":"transmitted"}"#.utf8)
        #expect(await rig.webhook.receive(body: tampered, headers: ["X-Mimamori-Signature": good], now: t0).status == 401)
        #expect(try await rig.line(rig.jobs[0].id).transmission == nil)
        #expect(try await rig.line(rig.jobs[1].id).transmission == nil)
        // The header's name in any case, the hex in capitals: still the same signature.
        let upper = "sha256=" + hex.uppercased()
        #expect(await rig.webhook.receive(body: body, headers: ["x-mimamori-signature": upper], now: t0).status == 200)
        #expect(rig.log.lines.withLock { $0 }.filter { $0.hasPrefix("fax.status.refused") }.count == 8)
    }

    @Test("an unknown job is 404, a malformed report 400, an oversized body 413")
    func unknownAndMalformed() async throws {
        let rig = try await Self.rig()
        defer { rig.file.remove() }
        #expect(await rig.send(#"{"job_id":"fx-99","status":"transmitted"}"#, at: t0).status == 404)
        #expect(await rig.send(#"{"idempotency_key":"KN-0042/1/alert/nobody/fax","status":"busy"}"#, at: t0).status == 404)
        let malformed = await rig.send(#"{"job_id":"fx-0","status":"sent"}"#, at: t0)
        #expect(malformed.status == 400 && malformed.text.contains("status must be one of"))
        #expect(await rig.send("not json", at: t0).status == 400)
        let big = #"{"job_id":"fx-0","status":"busy","pad":""# + String(repeating: "x", count: 70_000) + #""}"#
        #expect(await rig.send(big, at: t0).status == 413)
        #expect(try await rig.line(rig.jobs[0].id).state == .delivered)
    }

    @Test("busy: planned again minutes later, clear of the other FAX on the same number")
    func busyRedialledWithSpacing() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        // Two institutions sharing one FAX number.
        var intake = alertIntake(fax: 2, email: 0)
        intake.deliveries = intake.deliveries.map {
            var d = $0
            d.address = "+81736001001"
            return d
        }
        _ = try await file.ledger.recordIntake(intake)
        let spacing = FaxLineSpacing()
        let first = try await file.ledger.claimDueFaxes(now: t0, limit: 10, spacing: spacing)
        #expect(first.count == 1)
        let job = try #require(first.first)
        try await file.ledger.recordFaxJob("fx-a", for: job.id)
        try await file.ledger.record(.delivered(at: t0.addingTimeInterval(5)), for: job.id)
        // The second institution's FAX waits its gap after the first.
        #expect(try await file.ledger.nextDue(channel: .fax) == t0.addingTimeInterval(180))

        let log = CapturedLog()
        let webhook = FaxStatusWebhook(ledger: file.ledger, key: Credential(Self.key), spacing: spacing, logger: log.logger)
        let body = Array(#"{"job_id":"fx-a","status":"busy"}"#.utf8)
        let now = t0.addingTimeInterval(30)
        let answer = await webhook.receive(
            body: body, headers: ["X-Mimamori-Signature": FaxStatusWebhook.signature(body: body, key: Self.key)], now: now)
        #expect(answer.status == 200)
        let report = try await file.ledger.report(case: Self.caseID)
        let redial = try #require(report.first { $0.deliveryID == job.id })
        #expect(redial.state == .planned && redial.lastErrorCode == "fax-busy")
        // 3 minutes after the engaged line is 3:30, within the gap of the other FAX planned at 3:00:
        // the redial waits until 6:00.
        let claimed = try await file.ledger.claimDueFaxes(now: t0.addingTimeInterval(180), limit: 10, spacing: spacing)
        #expect(claimed.map(\.id) != [job.id] && claimed.count == 1)
        #expect(try await file.ledger.nextDue(channel: .fax) == t0.addingTimeInterval(360))
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.hasPrefix("fax.status ") && $0.contains("reason=redial") && $0.contains("delay_ms=330000") })
        #expect(lines.allSatisfy { !$0.contains("+81736001001") && !$0.contains("fx-a") })
    }

    @Test("a FAX the service failed is failed in the ledger and owes the operator's alarm")
    func failedOwesAlarm() async throws {
        let rig = try await Self.rig()
        defer { rig.file.remove() }
        let answer = await rig.send(#"{"job_id":"fx-1","status":"failed"}"#, at: t0.addingTimeInterval(60))
        #expect(answer.status == 200 && answer.text == "recorded: failed\n")
        let alarms = try await rig.file.ledger.pendingAlarms(finishedBefore: t0.addingTimeInterval(61))
        #expect(alarms.map(\.deliveryID) == [rig.jobs[1].id])
        // The operator's alarm says the FAX was accepted but not transmitted, and what to do.
        let alarm = Dispatcher.alarm(for: try #require(alarms.first))
        #expect(alarm.errorCode == "fax-failed")
        #expect(alarm.operatorHint.contains("not transmitted") && alarm.operatorHint.contains("mimamori resend KN-0042"))
        #expect(rig.log.lines.withLock { $0 }.contains { $0.hasPrefix("fax.status ") && $0.contains("code=fax-failed") })
    }

    @Test("the Idempotency-Key the HTTP method sends is the one the ledger reads back")
    func keysAgree() async throws {
        let rig = try await Self.rig(fax: 1)
        defer { rig.file.remove() }
        let job = rig.jobs[0]
        // What FaxDeliveryOutlet would send for this job on its next redial.
        _ = try await rig.file.ledger.recordFaxLine(
            FaxLineReport(job: .job("fx-0"), outcome: .busy), spacing: FaxLineSpacing(), now: t0.addingTimeInterval(20))
        let redial = try #require(try await rig.file.ledger.claimDue(now: t0.addingTimeInterval(600), channel: .fax, limit: 1).first)
        try await rig.file.ledger.record(.delivered(at: t0.addingTimeInterval(601)), for: redial.id)
        let sent = FaxDelivery(
            number: "+81736001001", document: FaxDocument(title: "t", rows: [], created: t0), idempotencyKey: redial.idempotencyKey,
            date: t0, resends: redial.resends, lineTries: redial.lineTries
        ).apiIdempotencyKey
        #expect(sent == job.idempotencyKey + ".t1")
        let answer = await rig.send(#"{"idempotency_key":"\#(sent)","status":"transmitted"}"#, at: t0.addingTimeInterval(700))
        #expect(answer.status == 200 && answer.text == "recorded\n")
    }
}

import Foundation
import MimamoriCore
import Testing

@Suite("The FAX service's status report body: read strictly, refused with the field it lacks")
struct FaxStatusReportTests {
    static func parse(_ text: String) -> Result<FaxStatusReport, FaxStatusReport.Problem> {
        FaxStatusReport.parse(Array(text.utf8))
    }

    @Test("a report by our Idempotency-Key, with pages and time")
    func byKey() throws {
        let report = try Self.parse(
            #"{"idempotency_key":"KN-0042/1/alert/coop-fax-0/fax.t1","status":"transmitted","pages":1,"time":"2026-12-02T10:23:45+09:00","provider":"x"}"#
        ).get()
        #expect(report.job == .idempotencyKey("KN-0042/1/alert/coop-fax-0/fax.t1"))
        #expect(report.outcome == .transmitted)
        #expect(report.pages == 1)
        #expect(report.at == Date(timeIntervalSince1970: 1_796_174_625))
    }

    @Test("a report by the provider's job id, string or number; pages and time may be left out")
    func byJob() throws {
        #expect(try Self.parse(#"{"job_id":"fx_81a","status":"busy"}"#).get() == FaxStatusReport(job: .job("fx_81a"), outcome: .busy))
        #expect(try Self.parse(#"{"job_id":4711,"status":"no-answer","pages":null}"#).get().job == .job("4711"))
        #expect(try Self.parse(#"{"job_id":"9","status":"failed"}"#).get().outcome == .failed)
    }

    @Test(
        "malformed bodies are refused with the field named",
        arguments: [
            ("", "JSON object"), ("[1]", "JSON object"), (#"{"status":"transmitted"}"#, "idempotency_key"),
            (#"{"idempotency_key":"","status":"busy"}"#, "idempotency_key"),
            (#"{"job_id":true,"status":"busy"}"#, "idempotency_key"),
            (#"{"job_id":-3,"status":"busy"}"#, "idempotency_key"),
            (#"{"job_id":"1","status":"BUSY"}"#, "status"), (#"{"job_id":"1","status":"sent"}"#, "status"),
            (#"{"job_id":"1"}"#, "status"), (#"{"job_id":"1","status":"busy","pages":-1}"#, "pages"),
            (#"{"job_id":"1","status":"busy","pages":"2"}"#, "pages"),
            (#"{"job_id":"1","status":"busy","time":"2026-12-02 10:23"}"#, "time"),
            (#"{"job_id":"1","status":"busy","time":1796174625}"#, "time"),
            (#"{"job_id":"1","job_id":"2","status":"busy"}"#, "JSON object"),
        ])
    func malformed(_ body: String, _ field: String) {
        switch Self.parse(body) {
        case .success(let report): Issue.record("accepted \(body) as \(report)")
        case .failure(let problem): #expect(problem.reason.contains(field), "\(body): \(problem)")
        }
    }

    @Test("a key longer than 200 characters is refused, not kept")
    func longKey() {
        let key = String(repeating: "k", count: 201)
        guard case .failure = Self.parse(#"{"idempotency_key":"\#(key)","status":"busy"}"#) else {
            Issue.record("accepted a 201-character key")
            return
        }
    }
}

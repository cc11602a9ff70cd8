import Foundation

/// The body of one status report of the HTTP FAX service (`POST /fax/status`), read strictly: a
/// duplicate key, a wrong type or an unknown status is refused with a reason that names the
/// field, never its value.
///
///     {"idempotency_key": "<the Idempotency-Key we sent>", "status": "transmitted",
///      "pages": 1, "time": "2026-12-02T10:23:45+09:00"}
///
/// `job_id` (the id the service answered at acceptance, a string or a whole number) may stand in
/// for `idempotency_key`; `pages` and `time` may be left out. Other keys are ignored (services
/// add their own).
public struct FaxStatusReport: Sendable, Hashable {
    public enum Job: Sendable, Hashable {
        case idempotencyKey(String)
        case job(String)
    }

    public var job: Job
    public var outcome: FaxLineOutcome
    public var pages: Int?
    public var at: Date?

    public init(job: Job, outcome: FaxLineOutcome, pages: Int? = nil, at: Date? = nil) {
        self.job = job
        self.outcome = outcome
        self.pages = pages
        self.at = at
    }

    /// Why a body is not a report.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static func parse(_ body: [UInt8]) -> Result<FaxStatusReport, Problem> {
        guard case .success(.object(let object)) = JSONValue.parse(body, maxDepth: 8) else {
            return .failure(Problem(reason: "the body is not a JSON object"))
        }
        let job: Job
        switch (object["idempotency_key"], object["job_id"]) {
        case (.string(let key)?, _) where (1...200).contains(key.count):
            job = .idempotencyKey(key)
        case (nil, .string(let id)?) where (1...200).contains(id.count):
            job = .job(id)
        case (nil, .int(let id)?) where id >= 0:
            job = .job(String(id))
        default:
            return .failure(Problem(reason: "idempotency_key or job_id is required (a string of 1 to 200 characters)"))
        }
        guard case .string(let text)? = object["status"], let outcome = FaxLineOutcome(rawValue: text) else {
            return .failure(Problem(reason: "status must be one of transmitted, busy, no-answer, failed"))
        }
        var report = FaxStatusReport(job: job, outcome: outcome)
        switch object["pages"] {
        case nil, .null?: break
        case .int(let pages)? where (0...1000).contains(pages): report.pages = pages
        default: return .failure(Problem(reason: "pages must be a whole number from 0 to 1000"))
        }
        switch object["time"] {
        case nil, .null?: break
        case .string(let text)? where Timestamp.parse(text) != nil: report.at = Timestamp.parse(text)
        default: return .failure(Problem(reason: "time must be an RFC 3339 time with its offset, e.g. 2026-12-02T10:23:45+09:00"))
        }
        return .success(report)
    }
}

import Crypto
import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets

/// The HTTP FAX service's status reports (`POST /fax/status` on the confirmation endpoint): whether
/// each accepted FAX was really transmitted, found the number engaged or unanswered (dialled again
/// with `FaxLineSpacing`), or failed for good (the operator is alarmed as for any failed delivery).
///
/// The service signs the exact body with HMAC-SHA256 under the `fax-webhook-key` credential and
/// sends `X-Mimamori-Signature: sha256=<64 hex digits>`. The body is JSON:
///
///     {"idempotency_key": "<the Idempotency-Key we sent>", "status": "transmitted",
///      "pages": 1, "time": "2026-12-02T01:23:45Z"}
///
/// `job_id` (the id the service answered at acceptance) may stand in for `idempotency_key`;
/// `status` is `transmitted`, `busy`, `no-answer` or `failed`; `pages` and `time` are optional.
/// Answers: 200 recorded (or recorded before: the same report twice changes nothing), 400 a body
/// that is not such a report, 401 a missing or wrong signature, 404 no FAX of ours by that key or
/// job, 413 a body over 64 KiB, 503 the ledger could not record it (send it again later).
public struct FaxStatusWebhook: Sendable {
    let ledger: any FaxLineStore
    let key: Credential
    let spacing: FaxLineSpacing
    let logger: Logger

    /// The largest report read; a status report is a few hundred bytes.
    public static let maximumBody = 64 * 1024
    public static let signatureHeader = "X-Mimamori-Signature"

    public init(
        ledger: any FaxLineStore, key: Credential, spacing: FaxLineSpacing,
        logger: Logger = Logger(label: "mimamori.fax-status")
    ) {
        self.ledger = ledger
        self.key = key
        self.spacing = spacing
        self.logger = logger
    }

    public func receive(body: [UInt8], headers: [String: String], now: Date) async -> (status: Int, text: String) {
        guard body.count <= Self.maximumBody else { return refuse(413, "body too large", "the report is over 64 KiB") }
        guard let signature = Self.header(Self.signatureHeader, in: headers) else {
            return refuse(401, "no signature", "unsigned: sign the body with HMAC-SHA256 under the shared key")
        }
        guard Self.verify(signature: signature, body: body, key: key.value) else {
            return refuse(401, "bad signature", "the signature does not match the body")
        }
        let report: FaxLineReport
        switch FaxStatusReport.parse(body) {
        case .success(let parsed): report = Self.report(parsed)
        case .failure(let problem): return refuse(400, "malformed", problem.reason)
        }
        let record: FaxLineRecord
        do throws(LedgerError) {
            record = try await ledger.recordFaxLine(report, spacing: spacing, now: now)
        } catch {
            logger.error("fax.status.unrecorded", metadata: .keys([.code: "\(error.code)"]))
            return (503, "not recorded: the ledger is not available; send the report again later\n")
        }
        switch record {
        case .unknown:
            return refuse(404, "unknown job", "no FAX of ours by that key or job id")
        case .transmitted(let target):
            log(.info, target, report, result: "transmitted")
            return (200, "recorded\n")
        case .redialled(let target, let at):
            var metadata = metadata(target, report, result: "redial")
            metadata[LogKey.delayMs.rawValue] = "\(Int((at.timeIntervalSince(now) * 1000).rounded()))"
            metadata[LogKey.attempt.rawValue] = "\(target.lineTries)"
            logger.notice("fax.status", metadata: metadata)
            return (200, "recorded: dialled again later\n")
        case .failed(let target, let code):
            var metadata = metadata(target, report, result: "failed")
            metadata[LogKey.code.rawValue] = .string(code)
            logger.error("fax.status", metadata: metadata)
            return (200, "recorded: failed\n")
        case .alreadyRecorded(let target):
            log(.info, target, report, result: "already-recorded")
            return (200, "already recorded\n")
        case .superseded(let target):
            log(.notice, target, report, result: "superseded")
            return (200, "superseded: about an earlier try, nothing changed\n")
        }
    }

    // MARK: The report

    /// The ledger's report of a parsed body.
    static func report(_ parsed: FaxStatusReport) -> FaxLineReport {
        let job: FaxJobReference
        switch parsed.job {
        case .idempotencyKey(let key): job = .idempotencyKey(key)
        case .job(let id): job = .job(id)
        }
        return FaxLineReport(job: job, outcome: parsed.outcome, pages: parsed.pages, at: parsed.at)
    }

    // MARK: The signature

    /// `sha256=<hex>` of HMAC-SHA256(key, body), compared in constant time.
    static func verify(signature: String, body: [UInt8], key: String) -> Bool {
        let text = signature.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("sha256="), let mac = hexBytes(text.dropFirst("sha256=".count)), mac.count == 32,
            !key.isEmpty
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(key.utf8)))
    }

    /// What the service puts in the header: for its documentation and the tests.
    public static func signature(body: [UInt8], key: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    static func header(_ name: String, in headers: [String: String]) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    // MARK: The journal: ids, the outcome and the result, never a number or a name

    private func refuse(_ status: Int, _ reason: String, _ text: String) -> (status: Int, text: String) {
        logger.warning("fax.status.refused", metadata: .keys([.code: "\(status)", .reason: .string(reason)]))
        return (status, text + "\n")
    }

    private func metadata(_ target: FaxLineTarget, _ report: FaxLineReport, result: String) -> Logger.Metadata {
        .keys([
            .case: "\(target.caseID)", .recipient: "\(target.recipient)", .delivery: "\(target.delivery)",
            .kind: "\(target.kind.rawValue)", .state: .string(report.outcome.rawValue), .reason: .string(result),
        ])
    }

    private func log(_ level: Logger.Level, _ target: FaxLineTarget, _ report: FaxLineReport, result: String) {
        logger.log(level: level, "fax.status", metadata: metadata(target, report, result: result))
    }
}

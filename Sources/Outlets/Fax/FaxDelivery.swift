import Foundation

/// One FAX to one number.
public struct FaxDelivery: Sendable, Hashable {
    /// E.164, e.g. `+81734899960`.
    public var number: String
    public var document: FaxDocument
    /// Stable per delivery: the HTTP API's `Idempotency-Key`, the gateway mail's `Message-ID`,
    /// and the only thing logged about it (ids only, never personal data).
    public var idempotencyKey: String
    public var date: Date
    /// How many times staff resent this delivery after it failed (`mimamori resend`).
    public var resends: Int
    /// How many times the number was found engaged or unanswered and is dialled again.
    public var lineTries: Int

    public init(
        number: String, document: FaxDocument, idempotencyKey: String, date: Date, resends: Int = 0, lineTries: Int = 0
    ) {
        self.number = number
        self.document = document
        self.idempotencyKey = idempotencyKey
        self.date = date
        self.resends = resends
        self.lineTries = lineTries
    }

    /// The HTTP API's `Idempotency-Key`: the delivery's key, `.rN` after the N-th resend, `.tM`
    /// for the M-th redial of an engaged number. A service that stores its answer per key would
    /// otherwise replay the old job to every resend and redial, and never dial; retries within
    /// one try keep one key, so they are still deduplicated. The status webhook names the job by
    /// this key (the ledger's `FaxJobReference` reads it back).
    public var apiIdempotencyKey: String {
        idempotencyKey + (resends == 0 ? "" : ".r\(resends)") + (lineTries == 0 ? "" : ".t\(lineTries)")
    }
}

/// What the FAX service told us it accepted.
public struct FaxReceipt: Sendable, Hashable {
    /// The service's job id (HTTP API, HylaFAX); nil for an email gateway, which only queues mail.
    public var jobID: String?
    public init(jobID: String?) { self.jobID = jobID }
}

/// How a number is written for the FAX service.
public enum FaxNumberFormat: Sendable, Hashable {
    /// Japanese domestic dialling: `+81734899960` → `0734899960`; other countries `010…`.
    case japaneseDomestic
    /// E.164 digits without `+`: `81734899960`.
    case e164Digits
    /// E.164 as given: `+81734899960`.
    case e164

    func format(_ number: String) throws(OutletError) -> String {
        let digits = number.dropFirst()
        guard number.hasPrefix("+"), (8...15).contains(digits.count),
            digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { throw .invalidInput("FAX number is not E.164 (+ and 8 to 15 digits)") }
        switch self {
        case .e164: return number
        case .e164Digits: return String(digits)
        case .japaneseDomestic:
            return digits.hasPrefix("81") ? "0" + digits.dropFirst(2) : "010" + digits
        }
    }
}

/// Why an outlet could not deliver a job. Says whether trying again can help and what an operator
/// should check. `summary` must hold no personal data: no address, no server reply quoting one.
public struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server could not be reached (refused, DNS, TLS handshake).
        public static let unreachable = Code("unreachable")
        /// No answer in time; the notice may or may not have gone out.
        public static let timeout = Code("timeout")
        /// The server answered "try later" (SMTP 4xx, HTTP 429/503, fax line busy).
        public static let deferred = Code("deferred")
        /// The server refused this notice for good (SMTP 5xx, HTTP 4xx).
        public static let rejected = Code("rejected")
        /// The address cannot be used (malformed number or mailbox).
        public static let badAddress = Code("badAddress")
        /// Credentials or configuration are wrong.
        public static let misconfigured = Code("misconfigured")
        /// The send was cancelled by a shutdown.
        public static let cancelled = Code("cancelled")
    }

    public var code: Code
    public var isRetriable: Bool
    public var operatorHint: String
    /// A short text with no personal data, kept in the ledger as the last error.
    public var summary: String

    public init(code: Code, isRetriable: Bool, summary: String, operatorHint: String) {
        self.code = code
        self.isRetriable = isRetriable
        self.summary = summary
        self.operatorHint = operatorHint
    }

    public static func transient(_ code: Code = .deferred, _ summary: String, hint: String = "") -> DeliveryFailure {
        DeliveryFailure(code: code, isRetriable: true, summary: summary, operatorHint: hint)
    }

    public static func permanent(_ code: Code = .rejected, _ summary: String, hint: String = "") -> DeliveryFailure {
        DeliveryFailure(code: code, isRetriable: false, summary: summary, operatorHint: hint)
    }

    public var description: String {
        "\(code) (\(isRetriable ? "retriable" : "permanent")): \(summary)"
            + (operatorHint.isEmpty ? "" : "; \(operatorHint)")
    }
}

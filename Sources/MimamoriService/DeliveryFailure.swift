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

        /// A server's refusal named by protocol and reply: `smtp-530`, `http-401`. Used for the
        /// refusals that concern the channel or the message, so the journal and the alarm say
        /// exactly what the server answered.
        public static func reply(_ protocolName: String, _ status: Int) -> Code { Code("\(protocolName)-\(status)") }
    }

    /// Who the failure concerns; the dispatcher acts on it.
    public enum Scope: String, Sendable, Hashable {
        /// This delivery alone: retried or failed by itself.
        case recipient
        /// The notice on this channel: a permanent refusal fails every delivery of the same
        /// notice (case, revision, kind, channel) at once, with one alarm.
        case message
        /// The channel: it pauses and probes, the delivery goes back to planned (a retry), and
        /// the operator gets one alarm per pause.
        case channel
    }

    public var code: Code
    public var isRetriable: Bool
    public var operatorHint: String
    /// A short text with no personal data, kept in the ledger as the last error.
    public var summary: String
    public var scope: Scope
    /// The protocol step that failed (`mail-from`, `end-of-data`, …), when known.
    public var stage: String?

    public init(
        code: Code, isRetriable: Bool, summary: String, operatorHint: String, scope: Scope = .recipient,
        stage: String? = nil
    ) {
        self.code = code
        self.isRetriable = isRetriable
        self.summary = summary
        self.operatorHint = operatorHint
        self.scope = scope
        self.stage = stage
    }

    public static func transient(_ code: Code = .deferred, _ summary: String, hint: String = "") -> DeliveryFailure {
        // Unreachable is about the server, whoever the delivery is for.
        DeliveryFailure(
            code: code, isRetriable: true, summary: summary, operatorHint: hint,
            scope: code == .unreachable ? .channel : .recipient)
    }

    /// The channel's server refused to work for us (AUTH, MAIL FROM, HTTP 401/403/429/5xx…).
    public static func channelFault(_ code: Code, _ summary: String, hint: String = "", stage: String? = nil) -> DeliveryFailure {
        DeliveryFailure(code: code, isRetriable: true, summary: summary, operatorHint: hint, scope: .channel, stage: stage)
    }

    public static func permanent(_ code: Code = .rejected, _ summary: String, hint: String = "") -> DeliveryFailure {
        DeliveryFailure(code: code, isRetriable: false, summary: summary, operatorHint: hint)
    }

    /// Whether the server refused this message as one too many for its rate, so the channel
    /// should slow down rather than spend the delivery's retries: an SMTP 421 after the greeting
    /// (a relay's "4.7.0 Too many messages"), or a 451 at MAIL FROM ("4.7.1 rate limited"). Only
    /// the reply and the step are known (the server's words are never kept); a 421 at the
    /// greeting is a relay shutting down or full, and pauses the channel as before.
    public var asksToSlowDown: Bool {
        guard scope == .channel, let stage else { return false }
        switch code {
        case .reply("smtp", 421): return stage != "greeting"
        case .reply("smtp", 451): return stage == "mail-from"
        default: return false
        }
    }

    public var description: String {
        "\(code) (\(isRetriable ? "retriable" : "permanent"), \(scope.rawValue)): \(summary)"
            + (operatorHint.isEmpty ? "" : "; \(operatorHint)")
    }
}

/// What went wrong while handing a notice to a channel, and whether trying again can help.
///
/// The dispatcher decides retries from `isRetriable` and what the failure concerns from `scope`
/// (one recipient, the message, or the whole channel); `code` is for reports and metrics,
/// `operatorHint` is what an operator reads in the alarm mail. Neither the message nor the hint
/// ever carries personal data: no address, subject, body, number or server reply text (servers
/// often echo the recipient's address in their replies).
public struct OutletError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A stable name for the kind of failure; a struct rather than an enum so that codes can be
    /// added without breaking callers that switch over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The server could not be reached (refused, DNS, reset before a reply).
        public static let connectionFailed = Code("connectionFailed")
        /// Connect or total timeout elapsed.
        public static let timedOut = Code("timedOut")
        /// TLS could not be negotiated or the server's certificate was not trusted.
        public static let tlsFailed = Code("tlsFailed")
        /// The server refused our credentials.
        public static let authenticationFailed = Code("authenticationFailed")
        /// SMTP 5xx for the recipient or the message: will not succeed by retrying.
        public static let rejected = Code("rejected")
        /// SMTP 4xx: the server asks us to come back later.
        public static let deferred = Code("deferred")
        /// HTTP answered with a status that is not success.
        public static let httpStatus = Code("httpStatus")
        /// The server's answer could not be understood (no job id, not JSON, not SMTP).
        public static let badResponse = Code("badResponse")
        /// The caller gave content that cannot be sent (bad address, empty number, …).
        public static let invalidInput = Code("invalidInput")
        /// The settings cannot work (missing binary, bad URL, unknown method).
        public static let configuration = Code("configuration")
        /// The PDF or preview could not be produced.
        public static let renderingFailed = Code("renderingFailed")
        /// A helper program (sendfax, TTS) failed or ran past its timeout.
        public static let subprocessFailed = Code("subprocessFailed")
        /// Writing to the spool folder failed.
        public static let spoolFailed = Code("spoolFailed")
        /// The outlet was shut down before the send could start.
        public static let shutDown = Code("shutDown")
    }

    /// Who a failure is about, which decides what the dispatcher does with it.
    public enum Scope: String, Sendable, Hashable {
        /// This one recipient (SMTP 5xx/4xx at RCPT TO, a number the FAX API refuses): the
        /// delivery fails or retries on its own.
        case recipient
        /// The message itself, whoever it goes to (SMTP 552/554 at the end of DATA): every
        /// delivery of the same notice on the channel would fare the same.
        case message
        /// The channel (server unreachable, greeting, STARTTLS, AUTH or MAIL FROM refused, HTTP
        /// 401/403/429/5xx): no delivery of the channel can succeed until the server or its
        /// settings change. Always retriable; the dispatcher pauses the channel.
        case channel
    }

    /// The SMTP command whose reply failed the transaction, as libcurl's error text names it.
    public enum SMTPStage: String, Sendable, Hashable {
        case greeting
        case hello = "ehlo"
        case startTLS = "starttls"
        case auth
        case mailFrom = "mail-from"
        case rcptTo = "rcpt-to"
        case data
        case endOfData = "end-of-data"
    }

    public var code: Code
    public var isRetriable: Bool
    public var scope: Scope
    /// Which SMTP step failed, when known.
    public var smtpStage: SMTPStage?
    /// What an operator can do about it, e.g. "check email.smtp in mimamori.yaml".
    public var operatorHint: String
    /// Short, personal-data-free explanation (libcurl's generic text, an exit status, …).
    public var message: String
    /// The last SMTP reply code, when the failure came from an SMTP server.
    public var smtpReplyCode: Int?
    /// The HTTP status, when the failure came from an HTTP server.
    public var httpStatus: Int?
    /// libcurl's result code (CURLcode), when the failure came from libcurl.
    public var curlCode: Int?

    public init(
        code: Code, isRetriable: Bool, message: String, operatorHint: String,
        smtpReplyCode: Int? = nil, httpStatus: Int? = nil, curlCode: Int? = nil,
        scope: Scope = .recipient, smtpStage: SMTPStage? = nil
    ) {
        self.code = code
        self.isRetriable = isRetriable
        self.scope = scope
        self.smtpStage = smtpStage
        self.message = message
        self.operatorHint = operatorHint
        self.smtpReplyCode = smtpReplyCode
        self.httpStatus = httpStatus
        self.curlCode = curlCode
    }

    public var description: String {
        var parts = ["\(code)", isRetriable ? "transient" : "permanent", "scope=\(scope.rawValue)", message]
        if let smtpReplyCode { parts.append("smtp=\(smtpReplyCode)") }
        if let smtpStage { parts.append("stage=\(smtpStage.rawValue)") }
        if let httpStatus { parts.append("http=\(httpStatus)") }
        if let curlCode { parts.append("curl=\(curlCode)") }
        parts.append("hint: \(operatorHint)")
        return parts.joined(separator: " ")
    }
}

extension OutletError {
    static func invalidInput(_ message: String) -> OutletError {
        OutletError(
            code: .invalidInput, isRetriable: false, message: message,
            operatorHint: "the notice or the directory entry is malformed; correct it and resend")
    }

    static func configuration(_ message: String, hint: String) -> OutletError {
        OutletError(code: .configuration, isRetriable: false, message: message, operatorHint: hint)
    }
}

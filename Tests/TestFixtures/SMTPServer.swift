import Foundation
import Synchronization

/// An aiosmtpd server on loopback (`Tests/Servers/smtp_server.py`) that keeps every message.
/// Recipients `reject550-…` get 550, `defer451-N-…` get 451 the first N times, `data554-…` 554
/// at the end of DATA.
public final class SMTPServer: Sendable {
    public struct Options: Sendable {
        public var tls: TLSCertificate?
        public var requireTLS = false
        /// TLS from the first byte (smtps://) instead of STARTTLS; needs `tls`.
        public var implicitTLS = false
        /// Seconds after which the server drops an idle session (aiosmtpd's default: 300).
        public var idleTimeout: Double?
        public var auth: (username: String, password: String)?
        /// Keep nothing (throughput measurements).
        public var discard = false
        /// Answer this code to every MAIL FROM for `refuseWindow` seconds from the first one
        /// (530: a relay that starts requiring AUTH), then accept.
        public var refuseMail: Int?
        public var refuseWindow: Double = 15
        /// Accept at most this many MAIL FROM in any second and answer the rest `rateCode`
        /// ("421 4.7.0 Too many messages", "451 4.7.1 rate limited"): a relay that caps the rate.
        public var rateLimit: Int?
        public var rateCode = 421
        public init(
            tls: TLSCertificate? = nil, requireTLS: Bool = false,
            auth: (username: String, password: String)? = nil, discard: Bool = false
        ) {
            self.tls = tls
            self.requireTLS = requireTLS
            self.auth = auth
            self.discard = discard
        }
    }

    /// One stored message: the envelope and Python's decoding of it.
    public struct Received: Decodable, Sendable {
        public struct Decoded: Decodable, Sendable {
            public struct Attachment: Decodable, Sendable {
                public var filename: String?
                public var content_type: String
                public var size: Int
                public var sha256: String
                public var head: String
            }
            public var subject: String
            public var from: String
            public var to: String
            public var to_display_name: String?
            public var from_display_name: String?
            public var message_id: String
            public var date: String
            public var mime_version: String
            public var content_type: String
            public var body: String?
            public var body_charset: String?
            public var body_cte: String?
            public var attachments: [Attachment]
            public var defects: [String]
            public var long_lines: [Int]
            public var bare_lf: Bool
        }
        public var mail_from: String
        public var rcpt_tos: [String]
        public var tls: Bool
        public var authenticated: Bool
        public var decoded: Decoded?
        public var decode_error: String?
        /// The message exactly as it arrived.
        public var raw: Data = Data()

        enum CodingKeys: String, CodingKey {
            case mail_from, rcpt_tos, tls, authenticated, decoded, decode_error
        }
    }

    private let current: Mutex<ServerProcess>
    private let arguments: [String]
    private var process: ServerProcess { current.withLock { $0 } }

    public var port: Int { process.port }
    public var url: String { "smtp://127.0.0.1:\(process.port)" }

    public init(_ options: Options = Options()) throws {
        var arguments: [String] = []
        if let tls = options.tls { arguments += ["--tls", tls.certificate.path, tls.key.path] }
        if options.requireTLS { arguments.append("--require-tls") }
        if options.implicitTLS { arguments.append("--implicit-tls") }
        if let idle = options.idleTimeout { arguments += ["--idle-timeout", "\(idle)"] }
        if let auth = options.auth { arguments += ["--auth", "\(auth.username):\(auth.password)"] }
        if options.discard { arguments.append("--discard") }
        if let code = options.refuseMail { arguments += ["--refuse-mail", "\(code)", "--refuse-window", "\(options.refuseWindow)"] }
        if let limit = options.rateLimit { arguments += ["--rate-limit", "\(limit)", "--rate-code", "\(options.rateCode)"] }
        self.arguments = arguments
        current = Mutex(
            try ServerProcess(
                script: "smtp_server.py", directory: try ServerProcess.temporaryDirectory("smtp"),
                arguments: arguments))
    }

    public func stop() { process.stop() }

    /// Waits `seconds` before answering each DATA from now on (nil: answer at once again): a
    /// fan-out that lasts long enough to be disturbed, without thousands of recipients.
    public func setReplyDelay(_ seconds: Double?) {
        let file = process.directory.appendingPathComponent("delay")
        if let seconds {
            try? "\(seconds)".write(to: file, atomically: true, encoding: .utf8)
        } else {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// Refuses these addresses with 550 from now on: at RCPT, or (`afterData`) after the message
    /// was sent, keeping it in `refused()`. An empty list accepts everyone again.
    public func refuse(_ addresses: [String], afterData: [String] = []) throws {
        let file = process.directory.appendingPathComponent("refuse")
        let lines = addresses + afterData.map { "data \($0)" }
        if lines.isEmpty {
            try? FileManager.default.removeItem(at: file)
        } else {
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        }
    }

    /// Messages refused after DATA (see `refuse`), in arrival order.
    public func refused() throws -> [Received] {
        try process.files(withExtension: "refused").map { url in
            try JSONDecoder().decode(Received.self, from: Data(contentsOf: url))
        }
    }

    /// Kills the server (SIGKILL: sessions cut mid-command, the port refuses connections) and
    /// keeps what it stored; `restart()` brings it back.
    public func crash() { process.crash() }

    /// Starts a new server on the same port and folder, with the same options; it numbers its
    /// messages after those already stored, so `received()` sees both runs.
    public func restart() throws {
        let old = process
        old.crash()
        try? FileManager.default.removeItem(at: old.directory.appendingPathComponent("port"))
        let new = try ServerProcess(
            script: "smtp_server.py", directory: old.directory, arguments: arguments + ["--port", "\(old.port)"])
        current.withLock { $0 = new }
    }

    /// MAIL FROM commands refused so far (`refuseMail`).
    public func refusedMailFrom() -> Int {
        (try? String(contentsOf: process.directory.appendingPathComponent("refused"), encoding: .utf8))
            .flatMap { Int($0) } ?? 0
    }

    /// MAIL FROM commands answered "too many" so far (`rateLimit`).
    public func throttled() -> Int {
        (try? String(contentsOf: process.directory.appendingPathComponent("throttled"), encoding: .utf8))
            .flatMap { Int($0) } ?? 0
    }

    /// SMTP connections accepted so far.
    public func connections() -> Int {
        (try? String(contentsOf: process.directory.appendingPathComponent("connections"), encoding: .utf8))
            .flatMap { Int($0) } ?? 0
    }

    /// How many messages are stored so far (cheap: counts files, decodes nothing).
    public func receivedCount() -> Int {
        (try? process.files(withExtension: "json").count) ?? 0
    }

    /// Every message stored so far, in arrival order.
    public func received() throws -> [Received] {
        try process.files(withExtension: "json").map { url in
            var message = try JSONDecoder().decode(Received.self, from: Data(contentsOf: url))
            message.raw = try Data(contentsOf: url.deletingPathExtension().appendingPathExtension("eml"))
            return message
        }
    }
}

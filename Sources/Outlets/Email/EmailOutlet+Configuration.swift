extension EmailOutlet {
    /// SMTP settings (`email:` in mimamori.yaml); secrets arrive as values read by the daemon from
    /// its credential files, never from the YAML.
    public struct Configuration: Sendable {
        /// How the connection is protected.
        public enum Security: Sendable, Hashable {
            /// Plain SMTP (loopback relay only).
            case none
            /// `STARTTLS` required: libcurl fails rather than sending in clear (`CURLUSESSL_ALL`).
            case startTLS
            /// TLS from the first byte; the URL must be `smtps://` (port 465).
            case implicitTLS
        }

        public struct Credentials: Sendable, Hashable {
            public var username: String
            /// Read at each transfer, so a rotated password applies without a restart.
            public var secret: Credential
            public var password: String { secret.value }
            public init(username: String, password: String) { self.init(username: username, secret: Credential(password)) }
            public init(username: String, secret: Credential) {
                self.username = username
                self.secret = secret
            }
        }

        /// `smtp://host:port` or `smtps://host:port`; a path (`smtp://host/name`) sets the
        /// EHLO name, libcurl's convention.
        public var url: String
        public var security: Security
        public var credentials: Credentials?
        /// PEM bundle of CAs to trust instead of the system's (a municipal relay's own CA).
        public var caFile: String?
        /// Parallel SMTP sessions, each a dedicated thread with a connection kept open.
        public var sessions: Int
        public var timeouts: OutletTimeouts
        public var mime: MIMEMessage.Options

        public init(
            url: String, security: Security = .none, credentials: Credentials? = nil,
            caFile: String? = nil, sessions: Int = 8, timeouts: OutletTimeouts = OutletTimeouts(),
            mime: MIMEMessage.Options = MIMEMessage.Options()
        ) {
            self.url = url
            self.security = security
            self.credentials = credentials
            self.caFile = caFile
            self.sessions = sessions
            self.timeouts = timeouts
            self.mime = mime
        }

        func validate() throws(OutletError) {
            let hint = "check email.smtp in mimamori.yaml"
            let lower = url.lowercased()
            switch security {
            case .implicitTLS where !lower.hasPrefix("smtps://"):
                throw .configuration("implicit TLS needs an smtps:// URL", hint: hint)
            case .none, .startTLS:
                guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
                    throw .configuration("SMTP URL must start with smtp:// or smtps://", hint: hint)
                }
            default: break
            }
            guard sessions >= 1 && sessions <= 256 else {
                throw .configuration("email.sessions must be between 1 and 256", hint: hint)
            }
        }
    }
}

import Logging

/// Sends email over SMTP with libcurl: one message per recipient, a bounded number of parallel
/// sessions, each keeping its connection open from one message to the next.
///
/// `send` may be called from any number of tasks at once; messages queue for the next free
/// session. Call `shutdown()` before exit to finish queued messages and close the connections.
public final class EmailOutlet: Sendable {
    public let configuration: Configuration
    private let pool: CurlSessionPool
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) throws(OutletError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        pool = CurlSessionPool(sessions: configuration.sessions, name: "smtp")
    }

    /// Hands one message to the SMTP server. Returns when the server accepted it (250 after
    /// DATA); throws an `OutletError` saying whether a retry can help.
    public func send(_ message: EmailMessage) async throws(OutletError) {
        let mime = try MIMEMessage(message, options: configuration.mime)
        let bytes = mime.rendered()
        let configuration = self.configuration
        let outcome = await pool.run { easy in
            SMTPTransfer.perform(
                easy, configuration: configuration,
                from: mime.envelopeFrom, to: mime.envelopeTo, bytes: bytes)
        }
        let delivery = Logger.MetadataValue.string(message.idempotencyKey)
        switch outcome {
        case .success?:
            logger.debug("email.accepted", metadata: ["delivery": delivery])
        case .failure(let error)?:
            logger.info(
                "email.failed",
                metadata: [
                    "delivery": delivery, "code": "\(error.code)",
                    "retriable": "\(error.isRetriable)",
                    "smtp": "\(error.smtpReplyCode.map(String.init) ?? "-")",
                ])
            throw error
        case nil:
            throw OutletError(
                code: .shutDown, isRetriable: true, message: "email outlet is shut down",
                operatorHint: "the daemon is stopping; the delivery resumes after restart")
        }
    }

    /// Finishes queued messages, then closes every SMTP connection.
    public func shutdown() async {
        await pool.shutdown()
    }
}

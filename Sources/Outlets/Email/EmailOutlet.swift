import Foundation
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
        // The checks of a whole message, in their order (the recipient's address before the
        // attachments').
        _ = try MIMEMessage(message, options: configuration.mime)
        try await transfer(
            try prepare(from: message.from, subject: message.subject, body: message.body, attachments: message.attachments),
            to: message.to, idempotencyKey: message.idempotencyKey, date: message.date)
    }

    /// Encodes what many messages share (sender, subject, text, attachments) once, for
    /// `send(_:to:idempotencyKey:date:)`.
    public func prepare(
        from: EmailAddress, subject: String, body: String, attachments: [EmailAttachment] = []
    ) throws(OutletError) -> MIMEMessage.Content {
        try MIMEMessage.Content(from: from, subject: subject, body: body, attachments: attachments, options: configuration.mime)
    }

    /// Sends prepared content to one recipient: the same bytes as `send(_:)` with an
    /// `EmailMessage` of that content, without encoding the shared parts again.
    public func send(_ content: MIMEMessage.Content, to: EmailAddress, idempotencyKey: String, date: Date) async throws(OutletError) {
        try MIMEMessage.Content.validate(recipient: to, idempotencyKey: idempotencyKey)
        try await transfer(content, to: to, idempotencyKey: idempotencyKey, date: date)
    }

    private func transfer(
        _ content: MIMEMessage.Content, to: EmailAddress, idempotencyKey: String, date: Date
    ) async throws(OutletError) {
        let bytes = content.rendered(to: to, idempotencyKey: idempotencyKey, date: date)
        let configuration = self.configuration
        let from = content.from.address
        let outcome = await pool.run { easy in
            SMTPTransfer.perform(easy, configuration: configuration, from: from, to: to.address, bytes: bytes)
        }
        switch outcome {
        case .success?:
            logger.debug("email.accepted", metadata: .keys([.delivery: .string(idempotencyKey)]))
        case .failure(let error)?:
            logger.info(
                "email.failed",
                metadata: .keys([
                    .delivery: .string(idempotencyKey), .code: "\(error.code)",
                    .retriable: "\(error.isRetriable)",
                    .smtp: "\(error.smtpReplyCode.map(String.init) ?? "-")",
                    .stage: "\(error.smtpStage?.rawValue ?? "-")", .scope: "\(error.scope.rawValue)",
                ]))
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

import Foundation

/// A mailbox: an ASCII address and an optional display name in any script.
public struct EmailAddress: Sendable, Hashable {
    public var address: String
    public var displayName: String?

    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }
}

/// A file attached to a message (the photo, the FAX PDF).
public struct EmailAttachment: Sendable, Hashable {
    public var filename: String
    /// e.g. `image/jpeg`, `application/pdf`.
    public var mediaType: String
    public var bytes: Data

    public init(filename: String, mediaType: String, bytes: Data) {
        self.filename = filename
        self.mediaType = mediaType
        self.bytes = bytes
    }
}

/// One already-rendered message for one recipient. Outlets never merges recipients: each
/// volunteer gets a message of their own and never sees another's address.
public struct EmailMessage: Sendable, Hashable {
    public var from: EmailAddress
    public var to: EmailAddress
    public var subject: String
    /// Plain text; line endings are normalised to CRLF on the wire.
    public var body: String
    public var attachments: [EmailAttachment]
    /// The delivery's stable idempotency key. It becomes the `Message-ID` (so a resend after a
    /// crash carries the same id and can be recognised as a duplicate) and is the only thing
    /// about the message that is logged: it must hold ids, never personal data.
    public var idempotencyKey: String
    public var date: Date

    public init(
        from: EmailAddress, to: EmailAddress, subject: String, body: String,
        attachments: [EmailAttachment] = [], idempotencyKey: String, date: Date
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.attachments = attachments
        self.idempotencyKey = idempotencyKey
        self.date = date
    }
}

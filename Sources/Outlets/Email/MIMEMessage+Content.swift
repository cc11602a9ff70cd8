import Foundation

extension MIMEMessage {
    /// What every recipient of one notice shares — From, Subject, the text part and the
    /// attachments — validated and encoded once. A 10,000-recipient fan-out used to encode the
    /// same subject, body and photo 10,000 times; now only To, Date, Message-ID and the
    /// boundary are written per message. The bytes are exactly those of `MIMEMessage.rendered()`.
    public struct Content: Sendable {
        public let from: EmailAddress
        let messageIDDomain: String
        let timeZone: TimeZone
        /// `From:` and `Subject:` header lines, each ending in CRLF.
        let fromLines: [UInt8]
        let subjectLines: [UInt8]
        /// The text as given, for a recipient's own lines added to it (`appendingToBody`).
        let body: String
        /// The text part and each attachment part: headers, blank line, base64 lines, CRLF each.
        private(set) var textPart: [UInt8]
        let attachmentParts: [[UInt8]]

        public init(
            from: EmailAddress, subject: String, body: String, attachments: [EmailAttachment] = [],
            options: Options = Options()
        ) throws(OutletError) {
            try MIMEMessage.validate(from.address, role: "from")
            for attachment in attachments {
                guard MIMEMessage.isToken(attachment.mediaType, allowing: "/+.-"),
                    attachment.mediaType.split(separator: "/").count == 2
                else { throw .invalidInput("attachment media type is not type/subtype") }
            }
            self.from = from
            messageIDDomain = options.messageIDDomain ?? String(from.address.split(separator: "@").last ?? "localhost")
            timeZone = options.timeZone
            fromLines = Self.bytes(HeaderField.mailbox(name: "From", from))
            subjectLines = Self.bytes(HeaderField.unstructured(name: "Subject", subject))
            self.body = body
            textPart = Self.bytes(MIMEMessage.textPart(body))
            attachmentParts = attachments.map { Self.bytes(MIMEMessage.attachmentPart($0)) }
        }

        /// The same content with `text` after the body: what differs between the recipients of
        /// one notice (a delivery's confirmation links). Only the text part is encoded again;
        /// the headers and the attachments' encoding are shared.
        public func appendingToBody(_ text: String) -> Content {
            var content = self
            content.textPart = Self.bytes(MIMEMessage.textPart(body + text))
            return content
        }

        /// The message to one recipient, as sent in SMTP DATA. `to` must have passed
        /// `validate(recipient:idempotencyKey:)`.
        public func rendered(to: EmailAddress, idempotencyKey: String, date: Date) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(
                fromLines.count + subjectLines.count + textPart.count + attachmentParts.reduce(0) { $0 + $1.count } + 512)
            out += fromLines
            for line in HeaderField.mailbox(name: "To", to) { Self.append(line, to: &out) }
            out += subjectLines
            Self.append("Date: " + MIMEMessage.rfc5322Date(date, in: timeZone), to: &out)
            Self.append("Message-ID: " + MIMEMessage.messageID(idempotencyKey: idempotencyKey, domain: messageIDDomain), to: &out)
            Self.append("MIME-Version: 1.0", to: &out)
            // Volunteers' vacation responders should not answer an automated notice.
            Self.append("Auto-Submitted: auto-generated", to: &out)
            if attachmentParts.isEmpty {
                out += textPart
            } else {
                let boundary = MIMEMessage.boundary(for: idempotencyKey)
                Self.append("Content-Type: multipart/mixed;", to: &out)
                Self.append(" boundary=\"\(boundary)\"", to: &out)
                Self.append("", to: &out)
                Self.append("This is a multi-part message in MIME format.", to: &out)
                for part in [textPart] + attachmentParts {
                    Self.append("--" + boundary, to: &out)
                    out += part
                }
                Self.append("--" + boundary + "--", to: &out)
            }
            return out
        }

        /// The per-recipient checks of `MIMEMessage.init`.
        public static func validate(recipient: EmailAddress, idempotencyKey: String) throws(OutletError) {
            try MIMEMessage.validate(recipient.address, role: "to")
            guard !idempotencyKey.isEmpty else { throw .invalidInput("message has no idempotency key") }
        }

        static func bytes(_ lines: [String]) -> [UInt8] {
            var out: [UInt8] = []
            for line in lines { append(line, to: &out) }
            return out
        }

        static func bytes(_ part: Part) -> [UInt8] {
            var out = bytes(part.headers + [""])
            out += part.body
            return out
        }

        static func append(_ line: String, to out: inout [UInt8]) {
            out += line.utf8
            out.append(0x0D)
            out.append(0x0A)
        }
    }
}

import Foundation

/// The wire form (RFC 5322 + MIME) of one `EmailMessage`: CRLF lines, every line ≤ 76 octets
/// except where a header must carry a longer unbreakable token, everything non-ASCII encoded.
///
/// The output is a pure function of the message and the options, so the same delivery renders
/// to the same bytes on every attempt (same `Message-ID`, same boundary).
public struct MIMEMessage: Sendable {
    public struct Options: Sendable, Hashable {
        /// Right-hand side of `Message-ID`; nil takes the domain of the From address.
        public var messageIDDomain: String?
        /// The zone `Date` is written in; Japanese readers expect +0900.
        public var timeZone: TimeZone

        public init(messageIDDomain: String? = nil, timeZone: TimeZone = MIMEMessage.japan) {
            self.messageIDDomain = messageIDDomain
            self.timeZone = timeZone
        }
    }

    public static let japan = TimeZone(identifier: "Asia/Tokyo") ?? TimeZone(secondsFromGMT: 9 * 3600)!

    public let message: EmailMessage
    public let options: Options

    public init(_ message: EmailMessage, options: Options = Options()) throws(OutletError) {
        try Self.validate(message.from.address, role: "from")
        try Self.validate(message.to.address, role: "to")
        guard !message.idempotencyKey.isEmpty else {
            throw .invalidInput("message has no idempotency key")
        }
        for attachment in message.attachments {
            guard Self.isToken(attachment.mediaType, allowing: "/+.-"),
                attachment.mediaType.split(separator: "/").count == 2
            else { throw .invalidInput("attachment media type is not type/subtype") }
        }
        self.message = message
        self.options = options
    }

    /// `<key@domain>`: the idempotency key made into a dot-atom (letters, digits, `-` and `_`
    /// kept; every other byte written as `=XX`), so it is stable and never needs quoting.
    public var messageID: String {
        Self.messageID(
            idempotencyKey: message.idempotencyKey,
            domain: options.messageIDDomain ?? String(message.from.address.split(separator: "@").last ?? "localhost"))
    }

    static func messageID(idempotencyKey: String, domain: String) -> String {
        // In bytes: it is written for every recipient of a fan-out.
        var bytes: [UInt8] = [UInt8(ascii: "<")]
        bytes.reserveCapacity(idempotencyKey.utf8.count * 3 + domain.utf8.count + 3)
        for byte in idempotencyKey.utf8 {
            if Self.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "="), hexDigit(byte >> 4), hexDigit(byte & 0x0f)]
            }
        }
        bytes.append(UInt8(ascii: "@"))
        bytes += domain.utf8
        bytes.append(UInt8(ascii: ">"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The envelope sender and recipient for SMTP (`MAIL FROM`, `RCPT TO`).
    public var envelopeFrom: String { message.from.address }
    public var envelopeTo: String { message.to.address }

    /// The message as sent in SMTP DATA (libcurl adds the dot-stuffing and the final dot).
    public func rendered() -> [UInt8] {
        // Validated in init: the content cannot fail here.
        let content = try! Content(
            from: message.from, subject: message.subject, body: message.body, attachments: message.attachments,
            options: options)
        return content.rendered(to: message.to, idempotencyKey: message.idempotencyKey, date: message.date)
    }

    /// A boundary that cannot occur inside the parts: every part is base64, whose alphabet has
    /// no `_` and uses `=` only as trailing padding, so `=_` never appears in a body line.
    var boundary: String { Self.boundary(for: message.idempotencyKey) }

    static func boundary(for idempotencyKey: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs, unlike Hasher
        for byte in idempotencyKey.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return "=_mimamori_" + String(hash, radix: 16)
    }

    struct Part {
        var headers: [String]
        /// The encoded body: lines of base64, each ending in CRLF.
        var body: [UInt8]
    }

    static func textPart(_ text: String) -> Part {
        // One line-ending convention on the wire (CRLF), whatever the template produced; one
        // pass over the bytes, as this runs once per recipient.
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.utf8.count + text.utf8.count / 16)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case 0x0D: normalized += [0x0D, 0x0A]
            case 0x0A where previous == 0x0D: break
            case 0x0A: normalized += [0x0D, 0x0A]
            default: normalized.append(byte)
            }
            previous = byte
        }
        return Part(
            headers: [
                "Content-Type: text/plain; charset=UTF-8",
                "Content-Transfer-Encoding: base64",
            ],
            body: base64Lines(normalized))
    }

    static func attachmentPart(_ attachment: EmailAttachment) -> Part {
        Part(
            headers: ["Content-Type: \(attachment.mediaType)"]
                + HeaderField.disposition(filename: attachment.filename)
                + ["Content-Transfer-Encoding: base64"],
            body: base64Lines(attachment.bytes))
    }

    /// Base64 in lines of 76 characters (RFC 2045 6.8), each ending in CRLF, written straight
    /// into bytes: every FAX through a mail gateway carries a PDF of its own (its confirmation
    /// band differs), and going through a `String` per line cost more than the rest of the send.
    static func base64Lines(_ data: some Collection<UInt8>) -> [UInt8] {
        data.withContiguousStorageIfAvailable(base64Lines(buffer:)) ?? Array(data).withUnsafeBufferPointer(base64Lines(buffer:))
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// A line at a time, 57 bytes in and 76 characters out, so the inner loop has no branch.
    private static func base64Lines(buffer data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let encodedCount = (data.count + 2) / 3 * 4
        let lines = (encodedCount + 75) / 76
        return base64Alphabet.withUnsafeBufferPointer { alphabet in
            [UInt8](unsafeUninitializedCapacity: encodedCount + 2 * lines) { out, initialized in
                var at = 0
                var index = 0
                func group(_ triple: UInt32) {
                    out[at] = alphabet[Int(triple >> 18 & 0x3F)]
                    out[at + 1] = alphabet[Int(triple >> 12 & 0x3F)]
                    out[at + 2] = alphabet[Int(triple >> 6 & 0x3F)]
                    out[at + 3] = alphabet[Int(triple & 0x3F)]
                    at += 4
                }
                func lineEnd() {
                    out[at] = 0x0D
                    out[at + 1] = 0x0A
                    at += 2
                }
                func groups(until end: Int) {
                    while index + 3 <= end {
                        group(UInt32(data[index]) << 16 | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]))
                        index += 3
                    }
                }
                while data.count - index >= 57 {
                    groups(until: index + 57)
                    lineEnd()
                }
                guard index < data.count else {
                    initialized = at
                    return
                }
                groups(until: data.count)
                let left = data.count - index
                if left > 0 {
                    group(UInt32(data[index]) << 16 | (left > 1 ? UInt32(data[index + 1]) << 8 : 0))
                    out[at - 1] = UInt8(ascii: "=")
                    if left == 1 { out[at - 2] = UInt8(ascii: "=") }
                }
                lineEnd()
                initialized = at
            }
        }
    }

    static func validate(_ address: String, role: String) throws(OutletError) {
        // Only what SMTP without SMTPUTF8 accepts, and nothing that could inject a header or an
        // SMTP command (CR, LF, angle brackets, spaces).
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].utf8.count <= 64,
            address.utf8.count <= 254,
            address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && !"<>()[]\\,;:\"".utf8.contains($0) })
        else { throw .invalidInput("\(role) address is not a plain ASCII mailbox") }
    }

    static func isToken(_ value: String, allowing extra: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { isAlphanumeric($0) || extra.utf8.contains($0) }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }

    static func hex(_ byte: UInt8) -> String {
        String(decoding: [hexDigit(byte >> 4), hexDigit(byte & 0x0f)], as: UTF8.self)
    }

    /// `0`–`9`, `A`–`F` for a value below 16.
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}

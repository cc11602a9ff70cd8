import Crypto
import Foundation

/// What a cooperator tells the town about the papers of a case: that they arrived
/// (受け取りました), or that they were shredded or deleted (処分しました, 要綱 第11条の3).
public enum Confirmation: String, Sendable, Hashable, Codable, CaseIterable {
    case received
    case destroyed

    /// The words on the button, the link and the reply strip.
    public var japanese: String {
        switch self {
        case .received: "受け取りました"
        case .destroyed: "処分しました"
        }
    }
}

/// The code on one delivery's links, QR code and reply strip: `K7QM-2XWD-9HVR`.
///
/// It reveals nothing: neither the case, the recipient nor a sequence can be read from it or
/// guessed, being an HMAC of the delivery's idempotency key under the town's `confirm-key`. The
/// ledger keeps it beside the delivery and looks a code up there; a code the ledger does not
/// hold (forged, mistyped, or of a purged case) is unknown, without saying which.
///
/// Twelve characters of Crockford's base32 (60 bits) in three groups of four: short enough to
/// type from a FAX, and with the endpoint's rate limit far too many to guess.
public struct ConfirmationCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The canonical form, `XXXX-XXXX-XXXX`.
    public let rawValue: String

    public init?(rawValue: String) {
        guard let code = Self(parsing: rawValue) else { return nil }
        self = code
    }

    private init(canonical: String) { rawValue = canonical }

    public var description: String { rawValue }

    /// The code `mimamori render` prints where a delivery's own would stand (it needs no key
    /// and opens nothing: no delivery holds it).
    public static let sample = ConfirmationCode(symbols: Array("K7QM2XWD9HVR".utf8))

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let length = 12

    /// A code as a person typed or read it: lower or upper case, full-width, with or without
    /// hyphens or spaces, with O for 0 and I or L for 1 (Crockford's reading). Nil when it
    /// cannot be a code at all.
    public init?(parsing text: String) {
        var symbols: [UInt8] = []
        for scalar in text.unicodeScalars {
            var value = scalar.value
            // Full-width ASCII (ＡＢＣ１２３, ー and － as hyphens) as an IME writes it.
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            switch value {
            case 0x20, 0x2D, 0x3000, 0x30FC, 0x2010...0x2015, 0x2212: continue
            default: break
            }
            guard value < 0x80 else { return nil }
            var byte = UInt8(value)
            if (0x61...0x7A).contains(byte) { byte -= 0x20 }
            switch byte {
            case UInt8(ascii: "O"): byte = UInt8(ascii: "0")
            case UInt8(ascii: "I"), UInt8(ascii: "L"): byte = UInt8(ascii: "1")
            default: break
            }
            guard Self.alphabet.contains(byte) else { return nil }
            symbols.append(byte)
        }
        guard symbols.count == Self.length else { return nil }
        self.init(symbols: symbols)
    }

    init(symbols: [UInt8]) {
        var text = ""
        for (index, symbol) in symbols.enumerated() {
            if index > 0, index % 4 == 0 { text.append("-") }
            text.append(Character(Unicode.Scalar(symbol)))
        }
        self.init(canonical: text)
    }

    /// The first 60 bits of `bytes` as twelve base32 symbols.
    static func encode(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var symbols: [UInt8] = []
        var buffer: UInt64 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt64(byte)
            bits += 8
            while bits >= 5, symbols.count < length {
                bits -= 5
                symbols.append(alphabet[Int((buffer >> UInt64(bits)) & 31)])
            }
            if symbols.count == length { break }
        }
        return symbols
    }
}

/// Derives each delivery's confirmation code from the `confirm-key` credential.
public struct ConfirmationSigner: Sendable {
    // SymmetricKey is not Sendable: the bytes are kept, the key made at each use.
    private let keyBytes: Data

    public init(key: SymmetricKey) { keyBytes = key.withUnsafeBytes { Data($0) } }

    /// The credential's text: 32 bytes in base64, as `mimamori keygen --confirm-key` writes it.
    public init(credential: String) throws(ConfirmationKeyError) {
        guard let data = Data(base64Encoded: credential.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .notBase64
        }
        guard data.count == 32 else { throw .wrongLength(data.count) }
        self.init(key: SymmetricKey(data: data))
    }

    /// A fresh key as the credential file holds it.
    public static func newCredential() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The code of `delivery`, or nil when what it carries asks for no confirmation.
    public func code(for delivery: PlannedDelivery) -> ConfirmationCode? {
        guard delivery.asksForConfirmation else { return nil }
        return code(forKey: delivery.idempotencyKey)
    }

    func code(forKey idempotencyKey: String) -> ConfirmationCode {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("mimamori.confirm/1\u{0}\(idempotencyKey)".utf8), using: SymmetricKey(data: keyBytes))
        return ConfirmationCode(symbols: ConfirmationCode.encode(mac))
    }
}

/// Why the `confirm-key` credential cannot be used; the daemon refuses to start with it.
public enum ConfirmationKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case notBase64
    case wrongLength(Int)

    public var description: String {
        switch self {
        case .notBase64:
            "the confirm-key credential is not base64; write a new one with `mimamori keygen --confirm-key FILE`"
        case .wrongLength(let count):
            "the confirm-key credential holds \(count) bytes, not 32; write a new one with `mimamori keygen --confirm-key FILE`"
        }
    }
}

extension NoticeKind {
    /// What a recipient of this notice is asked to confirm: an alert or update, that it arrived
    /// and later that it was destroyed; the termination and both destruction reminders, only
    /// that everything of the case was destroyed. Concern and shelter notices go to the town's own
    /// desks and facilities, which are asked otherwise.
    public var confirmations: [Confirmation] {
        switch self {
        case .alert, .update: [.received, .destroyed]
        case .termination, .destructionReminder, .destructionSecondReminder: [.destroyed]
        case .concernReport, .concernResult, .shelterRequest, .shelterDestruction: []
        }
    }
}

extension PlannedDelivery {
    /// Whether the delivery gets a confirmation code: a paper or a mail a person holds, of a
    /// kind that asks for one. The radio has no holder to ask.
    public var asksForConfirmation: Bool {
        channel != .radio && !kind.confirmations.isEmpty
    }
}

/// The addresses a confirmation code opens, built from `confirm.public-url`.
public struct ConfirmationLinks: Sendable, Hashable {
    /// `https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR`: the page with both buttons, the
    /// short URL printed on the FAX and what its QR code holds.
    public var page: String
    /// The email's 受け取りました link: the page asking for that one confirmation.
    public var received: String
    /// The 処分しました link.
    public var destroyed: String

    public init(publicURL: String, code: ConfirmationCode) {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        page = "\(base)/c/\(code.rawValue)"
        received = "\(page)/\(Confirmation.received.rawValue)"
        destroyed = "\(page)/\(Confirmation.destroyed.rawValue)"
    }

    /// The link for one confirmation.
    public func link(_ confirmation: Confirmation) -> String {
        switch confirmation {
        case .received: received
        case .destroyed: destroyed
        }
    }
}

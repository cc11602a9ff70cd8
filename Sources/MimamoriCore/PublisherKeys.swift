import Crypto
import Foundation

/// The Ed25519 public keys of the publishers the town trusts, by key id (design 3.1).
///
/// Key file format (what `mimamori keygen` writes as `<key-id>.pub`): the raw 32-byte Ed25519
/// public key in standard base64 (44 characters), on one line; surrounding whitespace and lines
/// starting with `#` (a comment naming the publisher) are ignored. The key id is the file name
/// without `.pub`. Loading the folder is the daemon's job; this type takes the contents.
public struct PublisherKeys: Sendable {
    public static let keyIDHeader = "x-mimamori-key-id"
    public static let signatureHeader = "x-mimamori-signature"

    /// Raw 32-byte public keys by key id. Kept as bytes because swift-crypto's key type is not
    /// `Sendable`; a key is rebuilt (cheaply) for each verification.
    public private(set) var rawKeys: [String: Data]

    public init() { self.rawKeys = [:] }

    public init(keys: [String: Curve25519.Signing.PublicKey]) {
        self.rawKeys = keys.mapValues(\.rawRepresentation)
    }

    public var keyIDs: [String] { rawKeys.keys.sorted() }

    /// The municipalities a key may sign for (`<key-id>.towns` beside `<key-id>.pub`); a key
    /// without such a file signs for any.
    public private(set) var towns: [String: Set<String>] = [:]

    /// Limits a key to the municipalities of one `<key-id>.towns` file: one municipality (the
    /// `municipality` of the events, e.g. `kimino`) per line; blank lines and `#` comments are
    /// ignored. An empty list limits the key to nothing.
    public mutating func limit(keyID: String, townsFileContents contents: String) {
        towns[keyID] = Set(
            contents.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    /// The key id a `.towns` file name stands for, or nil.
    public static func keyID(forTownsFileName name: String) -> String? {
        guard name.hasSuffix(".towns") else { return nil }
        let id = String(name.dropLast(6))
        return isValidKeyID(id) ? id : nil
    }

    /// Whether the key that signed may sign for this municipality; a police key of one town
    /// must not open cases in another that trusts it for its own.
    public func mayKey(_ keyID: String, signFor municipality: String) -> Bool {
        guard let allowed = towns[keyID] else { return true }
        return allowed.contains(municipality)
    }

    /// `signature.wrong-town`: the event's municipality is not in the signing key's `.towns`.
    public static let wrongTownReason = "signature.wrong-town"

    /// Adds the key of one `<key-id>.pub` file.
    public mutating func add(keyID: String, fileContents: String) throws(PublisherKeyError) {
        guard Self.isValidKeyID(keyID) else { throw .badKeyID(keyID) }
        rawKeys[keyID] = try Self.parseKeyFile(fileContents, keyID: keyID).rawRepresentation
    }

    /// The key id a file name stands for (`police-kainan.pub` → `police-kainan`), or nil if the
    /// file is not a key file.
    public static func keyID(forFileName name: String) -> String? {
        guard name.hasSuffix(".pub") else { return nil }
        let id = String(name.dropLast(4))
        return isValidKeyID(id) ? id : nil
    }

    /// Key ids travel in an AMQP header and in logs: short and plain.
    public static func isValidKeyID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy {
                $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                    || (0x61...0x7A).contains($0)
            }
    }

    public static func parseKeyFile(_ contents: String, keyID: String) throws(PublisherKeyError) -> Curve25519.Signing.PublicKey {
        let lines = contents.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1, let raw = Data(base64Encoded: lines[0]), raw.count == 32,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw .badKeyFile(keyID) }
        return key
    }

    /// The file contents for a public key, as `mimamori keygen` writes them.
    public static func keyFileContents(_ key: Curve25519.Signing.PublicKey, comment: String? = nil) -> String {
        (comment.map { "# \($0)\n" } ?? "") + key.rawRepresentation.base64EncodedString() + "\n"
    }

    /// Checks the signature over the exact raw body. `keyID` and `signature` are the header values
    /// (nil when absent). Returns the key id that signed.
    public func verify(body: some DataProtocol, keyID: String?, signature: String?) throws(SignatureError) -> String {
        guard let keyID, let signature, !keyID.isEmpty, !signature.isEmpty else { throw .unsigned }
        guard let raw = rawKeys[keyID], let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw .unknownKey
        }
        guard let signatureBytes = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)),
            signatureBytes.count == 64
        else { throw .malformedSignature }
        guard key.isValidSignature(signatureBytes, for: body) else { throw .badSignature }
        return keyID
    }

    /// Same, taking the AMQP headers as a dictionary.
    public func verify(body: some DataProtocol, headers: [String: String]) throws(SignatureError) -> String {
        try verify(body: body, keyID: headers[Self.keyIDHeader], signature: headers[Self.signatureHeader])
    }
}

/// Why a message's signature was not accepted; the intake dead-letters it when signing is required.
public enum SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsigned
    case unknownKey
    case malformedSignature
    case badSignature

    public var reason: String {
        switch self {
        case .unsigned: "signature.missing"
        case .unknownKey: "signature.unknown-key"
        case .malformedSignature: "signature.malformed"
        case .badSignature: "signature.invalid"
        }
    }

    public var operatorHint: String {
        switch self {
        case .unsigned: "the message has no \(PublisherKeys.keyIDHeader)/\(PublisherKeys.signatureHeader) headers: the publisher must sign"
        case .unknownKey: "no <key-id>.pub for this key id in publishers.keys: install the publisher's public key"
        case .malformedSignature: "the signature header is not base64 of 64 bytes: check the publisher's signer"
        case .badSignature: "the signature does not match the body: forged, altered in transit, or signed with another key"
        }
    }

    public var description: String { "\(reason): \(operatorHint)" }
}

public enum PublisherKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case badKeyID(String)
    case badKeyFile(String)

    public var description: String {
        switch self {
        case .badKeyID(let id): "publisher key id \(id): use letters, digits, '-', '_' or '.', at most 64"
        case .badKeyFile(let id):
            "publisher key \(id).pub: expected one line with the base64 of the raw 32-byte Ed25519 public key (mimamori keygen writes it)"
        }
    }
}

import Crypto
import Foundation

/// The police side's half of design 3.1's authenticity: an Ed25519 key pair, and the signature
/// headers over the exact body. Used by `mimamori keygen` / `mimamori publish` (drills, tests).
public struct EventSigner: Sendable {
    public let keyID: String
    /// Kept as raw bytes: swift-crypto's key type is not Sendable.
    private let rawKey: Data

    public init(keyID: String, privateKeyFileContents text: String) throws(EventSignerError) {
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let line, let raw = Data(base64Encoded: line),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw EventSignerError(message: "not an Ed25519 private key written by `mimamori keygen`") }
        self.keyID = keyID
        self.rawKey = key.rawRepresentation
    }

    /// The key id of a key file: its name without `.key` (`police-kainan.key` → `police-kainan`).
    public static func keyID(forPath path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".key") ? String(name.dropLast(4)) : name
    }

    /// `x-mimamori-key-id` and `x-mimamori-signature` for this body.
    public func headers(for body: some DataProtocol) throws(EventSignerError) -> [String: String] {
        do {
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
            let signature = try key.signature(for: Data(body))
            return [PublisherKeys.keyIDHeader: keyID, PublisherKeys.signatureHeader: signature.base64EncodedString()]
        } catch {
            throw EventSignerError(message: "signing failed: \(error)")
        }
    }

    /// A new key pair as file contents: (private, public).
    public static func generate(name: String) -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        let privateText =
            "# Mimamori publisher signing key \(name): keep secret (police side only)\n"
            + key.rawRepresentation.base64EncodedString() + "\n"
        let publicText = PublisherKeys.keyFileContents(
            key.publicKey, comment: "Mimamori publisher key \(name): copy to /etc/mimamori/publishers/\(name).pub")
        return (privateText, publicText)
    }
}

public struct EventSignerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

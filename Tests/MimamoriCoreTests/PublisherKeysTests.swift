import Crypto
import Foundation
import Testing

@testable import MimamoriCore

@Suite("Publisher signatures")
struct PublisherKeysTests {
    let privateKey = Curve25519.Signing.PrivateKey()
    let body = Array(#"{"schema":"mimamori.case/1"}"#.utf8)

    func keys() throws -> PublisherKeys {
        var keys = PublisherKeys()
        try keys.add(keyID: "police-kainan", fileContents: PublisherKeys.keyFileContents(privateKey.publicKey, comment: "海南警察署"))
        return keys
    }

    func sign(_ bytes: [UInt8]) throws -> String { try privateKey.signature(for: bytes).base64EncodedString() }

    @Test func acceptsAGoodSignature() throws {
        let id = try keys().verify(body: body, headers: ["x-mimamori-key-id": "police-kainan", "x-mimamori-signature": try sign(body)])
        #expect(id == "police-kainan")
    }

    @Test func refusesUnsigned() throws {
        #expect(throws: SignatureError.unsigned) { try keys().verify(body: body, headers: [:]) }
        #expect(throws: SignatureError.unsigned) { try keys().verify(body: body, keyID: "police-kainan", signature: nil) }
    }

    @Test func refusesAnUnknownKey() throws {
        #expect(throws: SignatureError.unknownKey) { try keys().verify(body: body, keyID: "someone", signature: try sign(body)) }
    }

    @Test func refusesAForgery() throws {
        let other = Curve25519.Signing.PrivateKey()
        let forged = try other.signature(for: body).base64EncodedString()
        #expect(throws: SignatureError.badSignature) { try keys().verify(body: body, keyID: "police-kainan", signature: forged) }
    }

    @Test func refusesAChangedBody() throws {
        let signature = try sign(body)
        var changed = body
        changed[changed.count - 2] ^= 0x01
        #expect(throws: SignatureError.badSignature) { try keys().verify(body: changed, keyID: "police-kainan", signature: signature) }
    }

    @Test(arguments: ["not base64!", "AAAA", ""])
    func refusesAMalformedSignature(_ signature: String) throws {
        let expected: SignatureError = signature.isEmpty ? .unsigned : .malformedSignature
        #expect(throws: expected) { try keys().verify(body: body, keyID: "police-kainan", signature: signature) }
    }

    @Test func keyFileFormat() throws {
        let contents = PublisherKeys.keyFileContents(privateKey.publicKey)
        #expect(contents.count == 45 && contents.hasSuffix("\n"))
        #expect(
            try PublisherKeys.parseKeyFile("# comment\n  \(contents)\n", keyID: "x").rawRepresentation
                == privateKey.publicKey.rawRepresentation)
        #expect(throws: PublisherKeyError.badKeyFile("x")) { try PublisherKeys.parseKeyFile("AAAA", keyID: "x") }
        #expect(throws: PublisherKeyError.badKeyFile("x")) { try PublisherKeys.parseKeyFile(contents + contents, keyID: "x") }
        #expect(PublisherKeys.keyID(forFileName: "police-kainan.pub") == "police-kainan")
        #expect(PublisherKeys.keyID(forFileName: "README") == nil)
        var keys = PublisherKeys()
        #expect(throws: PublisherKeyError.badKeyID("../x")) { try keys.add(keyID: "../x", fileContents: contents) }
    }

    @Test func reasonsAreStable() {
        #expect(SignatureError.unsigned.reason == "signature.missing")
        #expect(SignatureError.unknownKey.reason == "signature.unknown-key")
        #expect(SignatureError.badSignature.reason == "signature.invalid")
        #expect(SignatureError.malformedSignature.reason == "signature.malformed")
    }
}

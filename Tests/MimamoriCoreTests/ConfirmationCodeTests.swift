import Crypto
import Foundation
import MimamoriCore
import Testing

@Suite("Confirmation codes: unguessable, per delivery, typed back as people type")
struct ConfirmationCodeTests {
    static var key: SymmetricKey { SymmetricKey(data: Data(repeating: 1, count: 32)) }

    static func delivery(_ recipient: String, kind: NoticeKind = .alert, channel: Channel = .fax) -> PlannedDelivery {
        PlannedDelivery(
            caseID: CaseID("KN-2026-0042"), revision: 1, recipient: RecipientID(recipient), channel: channel, kind: kind,
            notBefore: Date(timeIntervalSince1970: 0))
    }

    @Test("a code is twelve symbols in three groups, stable for a delivery, different for another")
    func shape() throws {
        let signer = ConfirmationSigner(key: Self.key)
        let code = try #require(signer.code(for: Self.delivery("coop-1")))
        #expect(code.rawValue.count == 14)
        #expect(code.rawValue.split(separator: "-").map(\.count) == [4, 4, 4])
        #expect(signer.code(for: Self.delivery("coop-1")) == code)
        #expect(signer.code(for: Self.delivery("coop-2")) != code)
        #expect(signer.code(for: Self.delivery("coop-1", kind: .update)) != code)
        // Another town's key gives another code for the same delivery.
        let other = ConfirmationSigner(key: SymmetricKey(data: Data(repeating: 2, count: 32)))
        #expect(other.code(for: Self.delivery("coop-1")) != code)
        // Nothing of the delivery shows in the code.
        #expect(!code.rawValue.contains("KN") && !code.rawValue.contains("COOP"))
    }

    @Test("a thousand deliveries of one case get a thousand codes")
    func distinct() {
        let signer = ConfirmationSigner(key: Self.key)
        let codes = Set((0..<1000).compactMap { signer.code(for: Self.delivery("coop-\($0)")) })
        #expect(codes.count == 1000)
    }

    @Test("the radio and the town's own desks get no code; the termination asks only for destruction")
    func whoIsAsked() {
        let signer = ConfirmationSigner(key: Self.key)
        #expect(signer.code(for: Self.delivery("radio", channel: .radio)) == nil)
        #expect(signer.code(for: Self.delivery("desk", kind: .concernReport, channel: .email)) == nil)
        #expect(signer.code(for: Self.delivery("yasuragi", kind: .shelterRequest)) == nil)
        #expect(NoticeKind.alert.confirmations == [.received, .destroyed])
        #expect(NoticeKind.termination.confirmations == [.destroyed])
        #expect(NoticeKind.destructionReminder.confirmations == [.destroyed])
    }

    @Test(
        "a code read off a FAX or typed on a phone is the same code",
        arguments: ["k7qm-2xwd-9hvr", "K7QM2XWD9HVR", "Ｋ７ＱＭ－２ＸＷＤ－９ＨＶＲ", " K7QM 2XWD 9HVR ", "K7QM－2XWD－9HVR"])
    func parsing(_ typed: String) throws {
        let code = try #require(ConfirmationCode(parsing: typed))
        #expect(code.rawValue == "K7QM-2XWD-9HVR")
    }

    @Test("O reads as 0 and I or L as 1; anything else is not a code", arguments: ["0", "O", "I", "L", "U"])
    func ambiguous(_ letter: String) {
        let code = ConfirmationCode(parsing: "\(letter)7QM-2XWD-9HVR")
        switch letter {
        case "0", "O": #expect(code?.rawValue == "07QM-2XWD-9HVR")
        case "I", "L": #expect(code?.rawValue == "17QM-2XWD-9HVR")
        default: #expect(code == nil)
        }
    }

    @Test("too short, too long or not base32 is no code", arguments: ["", "K7QM-2XWD", "K7QM-2XWD-9HVR-1", "K7QM-2XWD-9HV!", "見守り"])
    func notCodes(_ text: String) {
        #expect(ConfirmationCode(parsing: text) == nil)
    }

    @Test("the credential is 32 bytes of base64; anything else says how to make one")
    func credential() throws {
        let fresh = ConfirmationSigner.newCredential()
        _ = try ConfirmationSigner(credential: fresh + "\n")
        #expect(throws: ConfirmationKeyError.notBase64) { try ConfirmationSigner(credential: "not base64!") }
        #expect(throws: ConfirmationKeyError.wrongLength(16)) {
            try ConfirmationSigner(credential: Data(repeating: 0, count: 16).base64EncodedString())
        }
    }

    @Test("links are built from the public URL, with or without its trailing slash")
    func links() throws {
        let code = try #require(ConfirmationCode(parsing: "K7QM-2XWD-9HVR"))
        for url in ["https://mimamori.town.example.jp", "https://mimamori.town.example.jp/"] {
            let links = ConfirmationLinks(publicURL: url, code: code)
            #expect(links.page == "https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR")
            #expect(links.link(.received) == "https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR/received")
            #expect(links.link(.destroyed) == "https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR/destroyed")
        }
    }
}

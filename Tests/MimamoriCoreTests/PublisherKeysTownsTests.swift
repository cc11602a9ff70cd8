import Crypto
import Foundation
import Testing

@testable import MimamoriCore

@Suite("Publisher keys limited to towns")
struct PublisherKeysTownsTests {
    @Test("a key with a .towns list signs only for those municipalities; a key without one for any")
    func townLimits() throws {
        var keys = PublisherKeys()
        try keys.add(keyID: "police-kainan", fileContents: PublisherKeys.keyFileContents(Curve25519.Signing.PrivateKey().publicKey))
        try keys.add(keyID: "police-pref", fileContents: PublisherKeys.keyFileContents(Curve25519.Signing.PrivateKey().publicKey))
        keys.limit(keyID: "police-kainan", townsFileContents: "# 海南警察署の管轄\nkainan\n  kimino  \n\n")
        #expect(keys.mayKey("police-kainan", signFor: "kimino") && keys.mayKey("police-kainan", signFor: "kainan"))
        #expect(!keys.mayKey("police-kainan", signFor: "wakayama"))
        #expect(keys.mayKey("police-pref", signFor: "wakayama"))
        keys.limit(keyID: "police-pref", townsFileContents: "")
        #expect(!keys.mayKey("police-pref", signFor: "kimino"), "an empty list limits the key to nothing")
        #expect(PublisherKeys.keyID(forTownsFileName: "police-kainan.towns") == "police-kainan")
        #expect(PublisherKeys.keyID(forTownsFileName: "police-kainan.pub") == nil)
        #expect(PublisherKeys.wrongTownReason == "signature.wrong-town")
    }
}

import Foundation
import HostileCorpus
import Testing

@testable import MimamoriCore

@Suite("PhotoClean: what of a photo may travel")
struct PhotoCleanTests {
    static func plainPNG() throws -> [UInt8] { try PhotoCheckTests.png() }

    /// The markers (`FF xx`) of a JPEG's segments before its first scan, in order.
    static func markers(_ b: [UInt8]) -> [UInt8] {
        var at = 2
        var found: [UInt8] = []
        while at + 4 <= b.count, b[at] == 0xFF {
            found.append(b[at + 1])
            if b[at + 1] == 0xDA { break }
            at += 2 + (Int(b[at + 2]) << 8 | Int(b[at + 3]))
        }
        return found
    }

    /// The PNG's chunk names, in order.
    static func chunks(_ b: [UInt8]) -> [String] {
        var at = 8
        var names: [String] = []
        while at + 12 <= b.count {
            names.append(String(decoding: b[(at + 4)..<(at + 8)], as: UTF8.self))
            at += 12 + PhotoCheck.be32(b, at)
        }
        return names
    }

    static func leaks(_ bytes: [UInt8]) -> [String] {
        PhotoMetadataSamples.markers.filter { PhotoMetadataSamples.contains(bytes, $0.bytes) }.map(\.label)
    }

    @Test(
        "a JPEG with EXIF GPS and a comment: every APPn and COM gone, the frame and scan kept byte for byte, still a valid JPEG of the same size"
    )
    func jpegLosesItsMetadata() throws {
        let original = try PhotoMetadataSamples.jpeg(orientation: 1)
        #expect(Self.leaks(original).count == PhotoMetadataSamples.markers.count, "the sample carries every marker")
        #expect(Self.markers(original).contains(0xE1) && Self.markers(original).contains(0xFE))
        let cleaned = try #require(PhotoClean.jpeg(original))
        #expect(Self.leaks(cleaned).isEmpty, "\(Self.leaks(cleaned))")
        #expect(!Self.markers(cleaned).contains { (0xE0...0xEF).contains($0) || $0 == 0xFE }, "\(Self.markers(cleaned))")
        #expect(Self.markers(cleaned) == Self.markers(original).filter { !(0xE0...0xEF).contains($0) && $0 != 0xFE })
        // The portrait without its JFIF APP0 (bytes 2 to 20) is what remains.
        let portrait = try PhotoCheckTests.jpeg()
        #expect(cleaned == [0xFF, 0xD8] + Array(portrait[20...]))
        let size = try PhotoCheck.check(CaseEvent.Photo(mediaType: .jpeg, data: Data(cleaned))).get()
        #expect(size == PhotoCheck.Dimensions(width: 300, height: 400))
    }

    @Test("a JPEG's Adobe APP14 stays (CMYK and RGB JPEGs decode wrong without it); any other APP14 goes; bytes after EOI go")
    func adobeStays() throws {
        let portrait = try PhotoCheckTests.jpeg()
        let adobe: [UInt8] = [0xFF, 0xEE, 0x00, 0x0E] + Array("Adobe".utf8) + [0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x02]
        let notAdobe: [UInt8] = [0xFF, 0xEE, 0x00, 0x08] + Array("自宅".utf8)
        let cleaned = try #require(
            PhotoClean.jpeg(Array(portrait[0..<20]) + adobe + notAdobe + Array(portrait[20...]) + Array(PhotoMetadataSamples.home.utf8)))
        #expect(Self.markers(cleaned).filter { $0 == 0xEE }.count == 1)
        #expect(cleaned == [0xFF, 0xD8] + adobe + Array(portrait[20...]))
    }

    @Test("a PNG with tEXt, iTXt, tIME, eXIf and text after IEND: only the chunks needed to show it remain, and it is the plain PNG again")
    func pngLosesItsMetadata() throws {
        let plain = try Self.plainPNG()
        let original = PhotoMetadataSamples.png(plain)
        #expect(Self.chunks(original).contains("tEXt") && Self.chunks(original).contains("eXIf"))
        #expect(Self.leaks(original).contains("home"))
        #expect(try PhotoCheck.check(CaseEvent.Photo(mediaType: .png, data: Data(original))).get().pixels > 0, "the sample is a valid PNG")
        let cleaned = try #require(PhotoClean.png(original))
        #expect(Self.leaks(cleaned).isEmpty, "\(Self.leaks(cleaned))")
        #expect(Set(Self.chunks(cleaned)).isSubset(of: PhotoClean.keptPNGChunks), "\(Self.chunks(cleaned))")
        #expect(cleaned == plain)
    }

    @Test("a PNG keeps its palette, transparency and colour chunks")
    func pngKeepsWhatDisplayNeeds() throws {
        let plain = try Self.plainPNG()
        let colour = [
            PhotoMetadataSamples.chunk("sRGB", [0]), PhotoMetadataSamples.chunk("gAMA", [0, 0, 0xB1, 0x8F]),
            PhotoMetadataSamples.chunk("pHYs", [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]),
        ]
        let withColour = Array(plain[0..<33]) + colour.joined() + Array(plain[33...])
        let cleaned = try #require(PhotoClean.png(withColour))
        #expect(Self.chunks(cleaned).prefix(3) == ["IHDR", "sRGB", "gAMA"])
        #expect(!Self.chunks(cleaned).contains("pHYs"))
    }

    @Test("the EXIF orientation is read from IFD0 (1 to 8), 1 without EXIF or with a broken one", arguments: [1, 3, 6, 8])
    func orientation(_ value: Int) throws {
        #expect(PhotoClean.jpegOrientation(Data(try PhotoMetadataSamples.jpeg(orientation: value))) == value)
    }

    @Test("no EXIF, no orientation tag, an orientation out of range, a cut EXIF: orientation 1, no trap")
    func noOrientation() throws {
        #expect(PhotoClean.jpegOrientation(Data(try PhotoCheckTests.jpeg())) == 1)
        #expect(PhotoClean.jpegOrientation(Data(try PhotoMetadataSamples.jpeg())) == 1)
        #expect(PhotoClean.jpegOrientation(Data(try PhotoMetadataSamples.jpeg(orientation: 9))) == 1)
        let jpeg = try PhotoMetadataSamples.jpeg(orientation: 6)
        for cut in stride(from: 0, to: 120, by: 3) {
            var broken = jpeg
            broken.removeSubrange((20 + cut)..<(20 + cut + 1))
            _ = PhotoClean.jpegOrientation(Data(broken))
            _ = PhotoClean.jpeg(broken)
        }
        #expect(PhotoClean.jpegOrientation(Data(jpeg.prefix(40))) == 1)
    }

    @Test("the stored body: the same event with the cleaned photo (or none), every other field as the publisher sent it")
    func storedBody() throws {
        let draft = HostileCorpus.Draft.opened().setting(
            "photo", ["mediaType": "image/jpeg", "data": Data(try PhotoMetadataSamples.jpeg()).base64EncodedString()])
        let body = draft.bytes
        let original = try CaseEvent.decode(body)
        let photo = try #require(original.photo)
        let cleaned = try #require(PhotoClean.clean(photo))
        let stored = try #require(CaseEvent.storedBody(body, photo: cleaned))
        var expected = original
        expected.photo = cleaned
        #expect(try CaseEvent.decode(stored) == expected)
        let storedPhoto = try #require(try CaseEvent.decode(stored).photo)
        #expect(Self.leaks([UInt8](storedPhoto.data)).isEmpty)
        let withoutPhoto = try #require(CaseEvent.storedBody(body, photo: nil))
        expected.photo = nil
        #expect(try CaseEvent.decode(withoutPhoto) == expected)
        // Escapes, nesting and numbers survive the rewrite.
        let tricky = Array(
            #"{"a":"\"\\\n\u0001é自","b":[1,-2.5,1e-7,true,false,null,{"c":[]}],"photo":{"data":"x","mediaType":"image/png"}}"#.utf8)
        let rewritten = try #require(CaseEvent.storedBody(tricky, photo: nil))
        let reread = try JSONSerialization.jsonObject(with: Data(rewritten)) as? [String: Any]
        #expect(reread?["a"] as? String == "\"\\\n\u{1}é自")
        #expect((reread?["b"] as? [Any])?.count == 7)
        #expect(reread?["photo"] is NSNull)
    }
}

import Foundation
import HostileCorpus
import MimamoriCore
import Testing

@testable import MimamoriDaemon
@testable import MimamoriService

/// The intake's photo step with the real libjpeg-turbo: turned upright, stripped, judged again.
@Suite("PhotoIntake: upright, without metadata, judged as it will travel")
struct PhotoIntakeTests {
    static func event(_ mediaType: CaseEvent.Photo.MediaType, _ bytes: [UInt8]) throws -> CaseEvent {
        try CaseEvent.decode(
            HostileCorpus.Draft.opened().setting("photo", ["mediaType": mediaType.rawValue, "data": Data(bytes).base64EncodedString()])
                .bytes)
    }

    static func leaks(_ data: Data) -> [String] {
        let bytes = [UInt8](data)
        return PhotoMetadataSamples.markers.filter { PhotoMetadataSamples.contains(bytes, $0.bytes) }.map(\.label)
    }

    @Test(
        "every EXIF orientation comes out upright: 5 to 8 swap width and height, 2 to 4 keep them; no EXIF left, no second turn asked for",
        arguments: 1...8)
    func upright(_ orientation: Int) throws {
        let intake = PhotoIntake(try Self.event(.jpeg, try PhotoMetadataSamples.jpeg(orientation: orientation)))
        #expect(!intake.notUpright)
        let photo = try #require(intake.event.photo)
        #expect(intake.event.photoLeftOut == nil)
        #expect(Self.leaks(photo.data).isEmpty, "\(Self.leaks(photo.data))")
        #expect(PhotoClean.jpegOrientation(photo.data) == 1)
        let size = try PhotoCheck.check(photo).get()
        // The portrait is 300 × 400; a lossless turn may trim a partial block (under 16 pixels).
        let (long, short) = orientation >= 5 ? (size.width, size.height) : (size.height, size.width)
        #expect((385...400).contains(long) && (285...300).contains(short), "orientation \(orientation): \(size)")
        if orientation == 1 { #expect(size.width == 300 && size.height == 400) }
    }

    @Test("orientation 6 turns the picture a quarter clockwise: the portrait's top row becomes the right column")
    func quarterClockwise() throws {
        let intake = PhotoIntake(try Self.event(.jpeg, try PhotoMetadataSamples.jpeg(orientation: 6)))
        let photo = try #require(intake.event.photo)
        #expect(try PhotoCheck.check(photo).get().width == 400)
        // The same transform straight from libjpeg-turbo, metadata stripped after: equal bytes.
        let direct = try #require(PhotoUpright.jpeg(Data(try PhotoMetadataSamples.jpeg(orientation: 6)), orientation: 6))
        #expect(PhotoClean.clean(CaseEvent.Photo(mediaType: .jpeg, data: direct))?.data == photo.data)
    }

    @Test("a PNG with text chunks loses them; a photo without metadata is stored untouched; a broken one is left out as before")
    func pngAndUntouched() throws {
        let plain = [UInt8](try #require(try CaseEvent.decode(HostileCorpus.Draft.opened().bytes).photo).data)
        let png = PhotoIntake(try Self.event(.png, PhotoMetadataSamples.png(plain)))
        #expect(png.event.photo?.data == Data(plain))
        let body = HostileCorpus.Draft.opened().bytes
        let decoded = try CaseEvent.decode(body)
        let untouched = PhotoIntake(decoded)
        #expect(untouched.storedBody(original: body, decoded: decoded, limits: .default) == Data(body))
        let broken = PhotoIntake(try Self.event(.jpeg, [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10] + Array(PhotoMetadataSamples.home.utf8)))
        #expect(broken.event.photo == nil && broken.event.photoLeftOut == .undecodable)
    }

    @Test("the stored body of an event whose photo was cleaned holds the cleaned photo, or none when it was left out")
    func storedBody() throws {
        let body = HostileCorpus.Draft.opened().setting(
            "photo", ["mediaType": "image/jpeg", "data": Data(try PhotoMetadataSamples.jpeg(orientation: 6)).base64EncodedString()]
        ).bytes
        let decoded = try CaseEvent.decode(body)
        let intake = PhotoIntake(decoded)
        let stored = try CaseEvent.decode(intake.storedBody(original: body, decoded: decoded, limits: .default))
        #expect(stored.photo == intake.event.photo)
        #expect(stored.person == decoded.person && stored.messageID == decoded.messageID && stored.lastSeen == decoded.lastSeen)
        let brokenBody = HostileCorpus.Draft.opened().setting(
            "photo",
            [
                "mediaType": "image/png",
                "data": Data(
                    PhotoMetadataSamples.png(
                        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
                            + [UInt8](repeating: 0xFF, count: 21))
                ).base64EncodedString(),
            ]
        ).bytes
        let brokenDecoded = try CaseEvent.decode(brokenBody)
        let brokenIntake = PhotoIntake(brokenDecoded)
        #expect(brokenIntake.event.photo == nil)
        let brokenStored = try CaseEvent.decode(brokenIntake.storedBody(original: brokenBody, decoded: brokenDecoded, limits: .default))
        #expect(brokenStored.photo == nil)
        #expect(
            !PhotoMetadataSamples.contains(
                [UInt8](brokenIntake.storedBody(original: brokenBody, decoded: brokenDecoded, limits: .default)),
                Array(PhotoMetadataSamples.home.utf8)))
    }
}

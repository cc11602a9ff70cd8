import Foundation
import Testing

@testable import MimamoriCore

@Suite("PhotoCheck: the intake's one look at a case photo")
struct PhotoCheckTests {
    /// The sample event's PNG (valid: IHDR, IDAT, IEND, good CRCs).
    static func png() throws -> [UInt8] { [UInt8](try #require(try Sample.opened().photo).data) }

    /// A real camera JPEG (the outlets' portrait).
    static func jpeg() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Files.testsDirectory.appendingPathComponent("../Servers/portrait.jpg")))
    }

    /// The PNG's IHDR with other dimensions, its CRC made good again (a well-formed lie).
    static func png(declaring width: UInt32, _ height: UInt32) throws -> [UInt8] {
        var b = try png()
        let be = { (v: UInt32) in [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        b.replaceSubrange(16..<24, with: be(width) + be(height))
        b.replaceSubrange(29..<33, with: be(UInt32(PhotoCheck.crc32(b[12..<29]))))
        return b
    }

    static func check(_ bytes: [UInt8], _ type: CaseEvent.Photo.MediaType) -> Result<PhotoCheck.Dimensions, PhotoCheck.Problem> {
        PhotoCheck.check(CaseEvent.Photo(mediaType: type, data: Data(bytes)))
    }

    @Test("a real PNG and a real JPEG pass, with their dimensions")
    func valid() throws {
        #expect(try Self.check(try Self.png(), .png).get().pixels > 0)
        let jpeg = Self.check(try Self.jpeg(), .jpeg)
        let size = try jpeg.get()
        #expect(size.width > 0 && size.height > 0)
    }

    @Test(
        "broken photos are named, never trapped on",
        arguments: [
            ("PNG declaring 0xFFFFFFFF × 0xFFFFFFFF", "png-overflow", PhotoCheck.Problem.badDimensions),
            ("PNG declaring 60,000 × 60,000", "png-huge", .tooManyPixels),
            ("PNG declaring 0 × 10", "png-zero", .badDimensions),
            ("PNG header only", "png-header-only", .undecodable),
            ("PNG without IEND", "png-no-iend", .undecodable),
            ("PNG with a bad CRC", "png-bad-crc", .undecodable),
            ("PNG labelled image/jpeg", "png-as-jpeg", .wrongType),
            ("random bytes labelled image/jpeg", "random-jpeg", .wrongType),
            ("JPEG start then random bytes", "jpeg-soi-random", .undecodable),
            ("JPEG cut in half", "jpeg-truncated", .undecodable),
            ("JPEG declaring 0 × 0", "jpeg-zero", .badDimensions),
            ("JPEG labelled image/png", "jpeg-as-png", .wrongType),
            ("empty", "empty", .wrongType),
        ])
    func broken(label: String, name: String, expected: PhotoCheck.Problem) throws {
        let png = try Self.png()
        let jpeg = try Self.jpeg()
        var random = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        let (bytes, type): ([UInt8], CaseEvent.Photo.MediaType) =
            switch name {
            case "png-overflow": (try Self.png(declaring: 0xFFFF_FFFF, 0xFFFF_FFFF), .png)
            case "png-huge": (try Self.png(declaring: 60_000, 60_000), .png)
            case "png-zero": (try Self.png(declaring: 0, 10), .png)
            case "png-header-only": (Array(png.prefix(33)), .png)
            case "png-no-iend": (Array(png.dropLast(12)), .png)
            case "png-bad-crc": (png.enumerated().map { $0.offset == 30 ? $0.element ^ 0xFF : $0.element }, .png)
            case "png-as-jpeg": (png, .jpeg)
            case "random-jpeg": ([0x00] + noise, .jpeg)
            case "jpeg-soi-random": ([0xFF, 0xD8] + noise.map { $0 == 0xFF ? 0 : $0 }, .jpeg)
            case "jpeg-truncated": (Array(jpeg.prefix(jpeg.count / 2)), .jpeg)
            case "jpeg-zero": (Self.zeroSizedJPEG(jpeg), .jpeg)
            case "jpeg-as-png": (jpeg, .png)
            default: ([], .png)
            }
        #expect(Self.check(bytes, type) == .failure(expected), "\(label)")
    }

    /// The portrait with its frame header's height and width set to zero.
    static func zeroSizedJPEG(_ jpeg: [UInt8]) -> [UInt8] {
        var b = jpeg
        var i = 2
        while i + 9 < b.count {
            let marker = b[i + 1]
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if (0xC0...0xC2).contains(marker) {
                b.replaceSubrange((i + 5)..<(i + 9), with: [0, 0, 0, 0])
                return b
            }
            i += 2 + length
        }
        return b
    }

    @Test("random bytes never trap the check, whatever the label")
    func fuzz() {
        var random = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            let count = Int.random(in: 0...300, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Half of them start like the real thing, so the walk goes past the signature.
            if round % 2 == 0 { bytes = (round % 4 == 0 ? PhotoCheck.pngSignature : [0xFF, 0xD8]) + bytes }
            for type in CaseEvent.Photo.MediaType.allCases { _ = Self.check(bytes, type) }
        }
    }

    @Test("the event's photo is replaced by the reason it was left out; a good one stays")
    func event() throws {
        var event = try Sample.opened()
        #expect(event.checkingPhoto() == event)
        event.photo = CaseEvent.Photo(mediaType: .png, data: Data(try Self.png(declaring: 0xFFFF_FFFF, 0xFFFF_FFFF)))
        let checked = event.checkingPhoto()
        #expect(checked.photo == nil)
        #expect(checked.photoLeftOut == .badDimensions)
        event.photo = nil
        #expect(event.checkingPhoto().photoLeftOut == nil)
    }

    @Test("a left-out photo is noted in the email and on the FAX page, only when the family consented to a photo")
    func note() throws {
        let planner = try Sample.planner()
        var event = try Sample.opened()
        event.consent.photo = true
        event.photo = CaseEvent.Photo(mediaType: .jpeg, data: Data((0..<512).map { UInt8(truncatingIfNeeded: $0 * 7) }))
        event = event.checkingPhoto()
        let notice = planner.renderer.description(.alert, event: event, photo: planner.photoToAttach(for: event), sentAt: Sample.now)
        #expect(notice.photo == nil && !notice.fax.photoAttached)
        #expect(notice.email.body.contains("ご本人の写真は、データに不備があるため添付していません。"))
        #expect(!notice.email.body.contains("写真の添付はありません"))
        #expect(notice.fax.paragraphs.contains("（ご本人の写真は、データに不備があるため掲載していません。）"))

        event.consent.photo = false
        let withoutConsent = planner.renderer.description(
            .alert, event: event, photo: planner.photoToAttach(for: event), sentAt: Sample.now)
        #expect(withoutConsent.email.body.contains("写真の添付はありません"))
        #expect(!withoutConsent.fax.paragraphs.contains { $0.contains("データに不備") })
    }
}

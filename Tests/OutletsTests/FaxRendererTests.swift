import Foundation
import TestFixtures
import Testing

@testable import Outlets

@Suite struct FaxRendererTests {
    /// Runs a poppler tool on a file and returns its stdout; a missing tool fails the test.
    static func poppler(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(argv[0]) failed (\(process.terminationStatus)); is poppler-utils installed?")
        }
        return String(decoding: data, as: UTF8.self)
    }

    func write(_ pdf: Data, name: String = "notice.pdf") throws -> URL {
        let url = try ServerProcess.temporaryDirectory("fax").appendingPathComponent(name)
        try pdf.write(to: url)
        return url
    }

    @Test func aDatedDocumentRendersToTheSameBytesEveryTime() throws {
        var document = try Samples.fax()
        document.created = Date(timeIntervalSince1970: 1_795_600_000)
        let first = try FaxRenderer().pdf(document)
        #expect(try FaxRenderer().pdf(document) == first)
        // The date given (2026-11-25T09:46:40Z) in the PDF's digits; Debian 12's cairo 1.16
        // writes it without the `D:` prefix, which poppler and the gateways' converters read.
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.firstMatch(of: /\/CreationDate \((D:)?20261125094640Z?\)/) != nil)
    }

    @Test func pdfHasTheJapaneseTextEmbeddedFontsAndPageNumbers() throws {
        let pdf = try FaxRenderer().pdf(Samples.fax())
        let url = try write(pdf)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let text = try Self.poppler(["pdftotext", "-layout", url.path, "-"])
        let flat = text.replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
        #expect(flat.contains(Samples.description.replacingOccurrences(of: " ", with: "")))
        #expect(flat.contains(Samples.clothing))
        #expect(flat.contains("【訓練】この通知は訓練です"))
        #expect(flat.contains("073-489-9960"))
        #expect(flat.contains("シュレッダーで廃棄"))
        #expect(flat.contains("1/"))
        let pages = try Self.poppler(["pdfinfo", url.path])
            .split(separator: "\n").first { $0.hasPrefix("Pages:") }
        #expect(pages != nil)
        #expect(try Self.poppler(["pdfinfo", url.path]).contains("595.276 x 841.89 pts (A4)"))
        let fonts = try Self.poppler(["pdffonts", url.path]).split(separator: "\n").dropFirst(2)
        #expect(!fonts.isEmpty)
        // IPAex Gothic has no bold face: cairo embeds the emboldened glyphs as its own
        // "CairoFont" subsets. Every font, regular or synthetic, must be embedded.
        #expect(fonts.contains { $0.contains("IPAexGothic") })
        #expect(fonts.allSatisfy { $0.contains(" yes yes ") }, "fonts embedded:\n\(fonts.joined(separator: "\n"))")
        let images = try Self.poppler(["pdfimages", "-list", url.path])
        #expect(images.contains("jpeg"), "the JPEG photo is embedded as is")
    }

    /// A recipient reads top to bottom: who writes and why, then whom to call, then the person.
    /// The callout is framed, and the longest label stays on one line.
    @Test("the lead and the framed sightings number come before the photo and the table; labels are not broken")
    func leadAndCalloutComeFirst() throws {
        var document = try Samples.fax()
        document.lead = [
            .init("紀美野にこにこネットワーク 協力機関の皆さま\n次の方が行方不明になりました。"),
            .init("見かけた方は、町ではなく、警察へ直接ご連絡ください。\n海南警察署　電話 073-555-0110", style: .boxed),
        ]
        document.rows.append(.init("最後に見かけた場所", "県道沿い"))
        let url = try write(try FaxRenderer().pdf(document))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let flat = try Self.poppler(["pdftotext", "-f", "1", "-l", "1", url.path, "-"])
            .replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
        let order = ["次の方が行方不明", "警察へ直接ご連絡", "073-555-0110", document.rows[0].label, "最後に見かけた場所"]
            .map { flat.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil }, "all on page 1: \(flat)")
        let positions = order.compactMap { $0 }
        #expect(positions == positions.sorted(), "lead, callout, table in this order: \(flat)")
        // With -layout a label broken over two lines would leave its last character alone.
        let layout = try Self.poppler(["pdftotext", "-layout", "-f", "1", "-l", "1", url.path, "-"])
        #expect(layout.contains("最後に見かけた場所"), "\(layout)")
    }

    @Test func longDocumentsPaginateWithPageNumbersOnEveryPage() throws {
        let pdf = try FaxRenderer().pdf(Samples.fax(extraParagraphs: 12))
        let url = try write(pdf)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let info = try Self.poppler(["pdfinfo", url.path])
        let count =
            info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(count >= 2)
        for page in 1...count {
            let text = try Self.poppler(["pdftotext", "-f", "\(page)", "-l", "\(page)", url.path, "-"])
            let flat = text.replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
            #expect(flat.contains("\(page)/\(count)"), "page \(page) is numbered")
            #expect(text.contains("【訓練】"), "page \(page) says it is a drill")
            #expect(text.contains("シュレッダー"), "page \(page) has the footer")
        }
        let all = try Self.poppler(["pdftotext", url.path, "-"]).replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
        #expect(all.contains("（補足12）"), "nothing lost at page breaks")
    }

    /// A reader never has to join a row across sheets: one that fits a page of its own moves
    /// there whole; only one taller than a page continues under its label on the next.
    @Test(arguments: [(40, false), (100, true)])
    func aRowMovesWholeUnlessTallerThanAPage(items: Int, continued: Bool) throws {
        var document = try Samples.fax()
        let long = (1...items).map { "持ち物\($0)：黒い手提げかばん、折りたたみ傘。" }.joined()
        document.rows.append(.init("持ち物", long + "（以上）"))
        let pdf = try FaxRenderer().pdf(document)
        let url = try write(pdf)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let flat = try Self.poppler(["pdftotext", url.path, "-"])
            .replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
        #expect(flat.contains("持ち物（続き）") == continued)
        #expect(flat.contains("（以上）"))
        #expect(flat.contains("声をかけるときは"), "paragraphs after the table are kept")
        if !continued {
            let second = try Self.poppler(["pdftotext", "-f", "2", "-l", "2", url.path, "-"])
                .replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
            #expect(second.contains("持ち物" + long + "（以上）"), "the row whole on the second page")
            let first = try Self.poppler(["pdftotext", "-f", "1", "-l", "1", url.path, "-"])
            #expect(!first.contains("持ち物1："), "nothing of it on the first")
        }
        if ProcessInfo.processInfo.environment["MIMAMORI_KEEP_TEST_FILES"] != nil {
            try pdf.write(to: URL(fileURLWithPath: "/tmp/mimamori-long-row-\(items).pdf"))
        }
    }

    @Test func previewIsAPNGPerPage() throws {
        let pdf = try FaxRenderer().pdf(Samples.fax(drill: false, photo: false))
        let pages = try FaxRenderer.previewPNG(pdf: pdf, dpi: 100)
        #expect(pages.count >= 1)
        #expect(pages.allSatisfy { $0.starts(with: [0x89, 0x50, 0x4E, 0x47]) })
        // Also the acceptance command itself.
        let url = try write(pdf)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = try Self.poppler(["pdftoppm", "-r", "100", "-png", url.path, url.deletingLastPathComponent().appendingPathComponent("p").path])
        let produced = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(produced.contains { $0.hasSuffix(".png") })
    }

    @Test("a PNG photo is printed; a photo that cannot be (not an image, GIF, a PNG declaring a huge bitmap) is left out with a note")
    func pngPhotoAndBadPhotos() throws {
        // A PNG made by the preview itself serves as a PNG photo.
        let png = try FaxRenderer.previewPNG(pdf: try FaxRenderer().pdf(Samples.fax(drill: false, photo: false)), dpi: 20)[0]
        var document = try Samples.fax()
        document.photo = .init(bytes: png, mediaType: "image/png")
        #expect(try FaxRenderer().pdf(document).count > 1000)
        // A photo that cannot be printed is left out, with a line saying so; the notice goes.
        var ihdrBomb = Array(png.prefix(33))  // signature + IHDR declaring 60,000 × 60,000
        ihdrBomb.replaceSubrange(16..<24, with: [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60])
        // 0xFFFFFFFF × 0xFFFFFFFF overflows Int: computed naively it traps (the daemon crash-looped on it).
        var overflowBomb = ihdrBomb
        overflowBomb.replaceSubrange(16..<24, with: [UInt8](repeating: 0xFF, count: 8))
        for (label, photo) in [
            ("not an image", FaxDocument.Photo(bytes: Data("not an image".utf8), mediaType: "image/jpeg")),
            ("GIF", FaxDocument.Photo(bytes: png, mediaType: "image/gif")),
            ("PNG declaring 3.6 billion pixels", FaxDocument.Photo(bytes: Data(ihdrBomb), mediaType: "image/png")),
            ("PNG declaring 0xFFFFFFFF × 0xFFFFFFFF", FaxDocument.Photo(bytes: Data(overflowBomb), mediaType: "image/png")),
        ] {
            document.photo = photo
            let url = try write(try FaxRenderer().pdf(document))
            defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
            let text = try Self.poppler(["pdftotext", url.path, "-"]).replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
            #expect(text.contains(FaxRenderer.photoLeftOut), "\(label): no note that the photo was left out")
            #expect(text.contains(Samples.clothing), "\(label): the notice itself is missing")
            let images = try Self.poppler(["pdfimages", "-list", url.path]).split(separator: "\n").dropFirst(2)
            #expect(images.isEmpty, "\(label): an image was embedded")
        }
    }

    /// `MIMAMORI_WRITE_SAMPLES=1` refreshes `docs/samples/` (reviewed by eye, small files).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIMAMORI_WRITE_SAMPLES"] != nil))
    func writeSamples() throws {
        let pdf = try FaxRenderer().pdf(Samples.fax())
        let directory = Samples.repositoryFile("docs/samples")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try pdf.write(to: directory.appendingPathComponent("fax-notice.pdf"))
        for (index, page) in try FaxRenderer.previewPNG(pdf: pdf, dpi: 100).enumerated() {
            try page.write(to: directory.appendingPathComponent("fax-notice-\(index + 1).png"))
        }
        let alert = RadioOutletTests.alert(drill: true)
        try CAPDocument(alert).xml.write(to: directory.appendingPathComponent("radio-alert.cap.xml"), atomically: true, encoding: .utf8)
        try CAPDocument(RadioOutletTests.follow(.allClear, of: alert, drill: true)).xml
            .write(to: directory.appendingPathComponent("radio-all-clear.cap.xml"), atomically: true, encoding: .utf8)
        let email = try MIMEMessage(Samples.email(to: "vol-001@example.net")).rendered()
        try Data(email).write(to: directory.appendingPathComponent("email.eml"))
    }
}

import Foundation
import MimamoriCore
import MimamoriService
import Outlets
import TestFixtures
import Testing

/// The police sheet (照会への回答) of a registration, rendered by the FAX renderer's sheet layout
/// and read back with poppler: one A4 page with every item and the photo, the type made smaller
/// for a long registration, and a second page rather than a lost line for one that cannot fit.
@Suite("registry sheet: the police's one A4 page")
struct RegistrySheetTests {
    static let root = ServerProcess.repositoryRoot
    static let town = Configuration.Town(
        name: "紀美野町", department: "保健福祉課", phone: "073-489-9960", network: "紀美野にこにこネットワーク", regulation: "紀美野にこにこネットワーク事業実施要綱")
    static let inquiry = RegistrySheet.Inquiry(
        requestedBy: "海南警察署 生活安全課 山田", reason: "身元不明の高齢女性を保護（美里の県道沿い）", printedBy: "fukushi-tanaka",
        printedAt: Timestamp.parse("2026-11-27T16:40:00+09:00")!)

    /// The YAML sample with its photo, as `registry add` registers it.
    static func sample() throws -> Registration {
        let bytes = try Data(contentsOf: root.appendingPathComponent("config/samples/registration.yaml"))
        let form = try #require(try RegistrationFile.read(bytes, format: .yaml, today: LocalDate(2026, 11, 27)).first)
        let photo = try Data(contentsOf: root.appendingPathComponent("config/samples/hanako.jpg"))
        let cleaned = try PhotoIntake.prepare(try RegistrationFile.photo(photo, at: "photo").get()).photo.get()
        return form.registration(
            id: try #require(form.id), today: LocalDate(2026, 11, 27),
            photo: .init(mediaType: cleaned.mediaType, data: cleaned.data, consentForNotices: true))
    }

    static func render(_ registration: Registration) throws -> (pdf: Data, pages: Int, text: String) {
        let rendered = try FaxRenderer().render(RegistrySheet.document(registration, inquiry: inquiry, town: town))
        let folder = try ServerProcess.temporaryDirectory("sheet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("sheet.pdf")
        try rendered.pdf.write(to: pdf)
        let text = try runTool("/usr/bin/pdftotext", [pdf.path, "-"])
        let info = try runTool("/usr/bin/pdfinfo", [pdf.path])
        let pageLine = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
        #expect(pageLine?.split(separator: " ").last == "\(rendered.pages)", "\(info)")
        return (rendered.pdf, rendered.pages, text)
    }

    /// pdftotext breaks lines where the layout wrapped them; compare without spaces and breaks.
    static func squeezed(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    @Test("the sample person on one page: who asked and why, every item's label and value, the photo, the Article 14 line, the town")
    func samplePerson() throws {
        let registration = try Self.sample()
        let (pdf, pages, text) = try Self.render(registration)
        #expect(pages == 1)
        let flat = Self.squeezed(text)
        for row in RegistrationSheet.rows(registration, today: LocalDate(2026, 11, 27), photoShown: true) {
            #expect(flat.contains(Self.squeezed(row.label)), "the sheet lacks the label \(row.label)")
            // pdftotext reads a line's parts apart where the layout spaced them (a name, its phone).
            for part in row.value.split(whereSeparator: { $0 == "\n" || $0 == "　" }) {
                #expect(flat.contains(Self.squeezed(String(part))), "the sheet lacks \(part)")
            }
        }
        for words in [
            "照会者:海南警察署生活安全課山田", "照会の理由:身元不明の高齢女性を保護", "2026年11月27日（金）16時40分", "（fukushi-tanaka）", "登録時の写真",
            "紀美野にこにこネットワーク事業実施要綱第14条", "紀美野町保健福祉課073-489-9960", "82歳",
        ] {
            #expect(flat.contains(words), "the sheet lacks \(words)\n\(text)")
        }
        let folder = try ServerProcess.temporaryDirectory("sheet-images")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("sheet.pdf")
        try pdf.write(to: file)
        let images = try runTool("/usr/bin/pdfimages", ["-list", file.path]).split(separator: "\n").dropFirst(2)
        #expect(images.count == 1, "the photo is on the sheet: \(images)")
    }

    @Test("a long registration still fits one page in smaller type; one that cannot goes on over a second page with nothing lost")
    func longRegistrations() throws {
        var long = try Self.sample()
        long.careNotes = (1...8).map { "介護の情報その\($0)：声をかけるときは正面から、ゆっくり短い言葉で。" }
        long.familyContacts += (1...3).map { .init(name: "紀美野 家族\($0)", relation: "孫", phone: "090-0000-010\($0)") }
        let (_, pages, text) = try Self.render(long)
        #expect(pages == 1, "\(text)")
        #expect(Self.squeezed(text).contains("介護の情報その8：声をかけるときは正面から"))

        var longest = long
        longest.careNotes = (1...20).map { "介護の情報その\($0)：" + String(repeating: "とても長い注意書き。", count: 18) }
        longest.person.features = (1...20).map { "特徴その\($0)：" + String(repeating: "目立つ特徴。", count: 30) }
        let (_, morePages, more) = try Self.render(longest)
        #expect(morePages > 1)
        let flat = Self.squeezed(more)
        #expect(flat.contains("介護の情報その20：") && flat.contains("特徴その20：") && flat.contains("次の確認期限"), "a line was lost")
        #expect(flat.contains("1/\(morePages)") && flat.contains("\(morePages)/\(morePages)"))
    }

    @Test func writeSamples() throws {
        guard ProcessInfo.processInfo.environment["MIMAMORI_WRITE_SAMPLES"] == "1" else { return }
        let folder = try ServerProcess.temporaryDirectory("sheet-samples")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("registry-sheet.pdf")
        try Self.render(try Self.sample()).pdf.write(to: pdf)
        let stem = folder.appendingPathComponent("registry-sheet").path
        _ = try runTool("/usr/bin/pdftoppm", ["-png", "-r", "100", "-singlefile", pdf.path, stem])
        let target = Self.root.appendingPathComponent("docs/samples/registry-sheet.png")
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: stem + ".png"), to: target)
    }
}

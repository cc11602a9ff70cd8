import Foundation
import MimamoriCore
import MimamoriService
import TestFixtures
import Testing

/// The concern notices' FAX pages as the desk's and the reporter's FAX machines print them: the
/// Mimasaka samples through the FAX adapter the daemon sends with, one A4 page each, every item
/// of the seed's table on it. `MIMAMORI_WRITE_SAMPLES=1` refreshes the PNGs in `docs/samples/`
/// (small, for review by eye).
@Suite("Concern FAX pages (real renderer)")
struct ConcernFaxPageTests {
    static let root = ServerProcess.repositoryRoot

    static func sample(_ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent("config/samples/\(name)"))
    }

    static func notices() throws -> (configuration: Configuration, desk: RenderedNotice, result: RenderedNotice) {
        let configuration = try Configuration.parse(yaml: String(decoding: try sample("mimasaka.yaml"), as: UTF8.self))
        let concerns = try #require(configuration.concerns)
        let report = try ConcernEvent.decode(try sample("concern-reported.json"))
        let resolved = try ConcernEvent.decode(try sample("concern-resolved.json"))
        let renderer = NoticeRenderer(town: configuration.town, areas: configuration.areas)
        let route = concerns.contactDesks(
            area: report.subject?.area, urgent: report.urgent, at: report.issuedAt, areas: configuration.areas)
        let desk = renderer.concernReport(report, route: route, concerns: concerns, sentAt: report.issuedAt)
        let result = renderer.concernResult(
            report, result: try #require(resolved.result), revision: resolved.sequence, sentAt: resolved.issuedAt)
        return (configuration, desk, result)
    }

    /// The PDF the FAX adapter makes, its page count and its text.
    static func page(_ notice: RenderedNotice, configuration: Configuration) throws -> (pdf: Data, pages: Int, text: String) {
        let delivery = PlannedDelivery(
            caseID: notice.caseID, revision: notice.revision, recipient: RecipientID("render"), channel: .fax, kind: notice.kind,
            notBefore: Date(timeIntervalSince1970: 1_796_000_000))
        let files = try FaxDeliveryOutlet.render(notice, delivery: delivery, configuration: configuration)
        let pdf = try #require(files.first { $0.name.hasSuffix(".pdf") }).bytes
        let folder = try ServerProcess.temporaryDirectory("concern-fax")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("notice.pdf")
        try pdf.write(to: file)
        let text = try runTool("/usr/bin/pdftotext", ["-layout", file.path, "-"])
        return (pdf, files.filter { $0.name.hasSuffix(".png") }.count, text)
    }

    static func firstPageText(_ pdf: Data) throws -> String {
        let folder = try ServerProcess.temporaryDirectory("concern-fax")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("notice.pdf")
        try pdf.write(to: file)
        return squeezed(try runTool("/usr/bin/pdftotext", ["-f", "1", "-l", "1", file.path, "-"]))
    }

    /// pdftotext breaks long cells and spaces wide text; compare without any blank.
    static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
    }

    @Test func theDeskNoticeIsOnePageWithTheWholeTable() throws {
        let (configuration, desk, _) = try Self.notices()
        let page = try Self.page(desk, configuration: configuration)
        #expect(page.pages == 1)
        let text = Self.squeezed(page.text)
        for item in [
            "見守りの情報提供", "勝田地域ステーションご担当者さま", "情報提供同意有無：なし", "受付番号", "MS-C-2026-0007", "氏名", "美作一郎", "住所",
            "勝田のJA支所付近", "情報提供内容", "店の前のベンチで長く座り込んでいることがある。", "緊急対応の有無", "協力団体名", "ほっとマート勝田店（架空）",
            "情報提供者氏名", "作東花子", "電話番号", "0868-75-0000", "結果の連絡方法", "書面（メール）", "美作市保健福祉部健康政策課",
        ] {
            #expect(text.contains(Self.squeezed(item)), "the desk's FAX lacks \(item)")
        }
    }

    @Test func theResultNoticeIsOnePageWithNothingOfTheReporter() throws {
        let (configuration, _, result) = try Self.notices()
        let page = try Self.page(result, configuration: configuration)
        #expect(page.pages == 1)
        let text = Self.squeezed(page.text)
        for item in ["ご連絡いただいた件の結果のご報告", "MS-C-2026-0007", "美作一郎さん", "介護サービスの利用について相談を始めています。"] {
            #expect(text.contains(Self.squeezed(item)), "the result FAX lacks \(item)")
        }
        for item in ["ほっとマート", "作東花子", "0868-75-0000", "JA支所", "ベンチ"] {
            #expect(!text.contains(item), "the result FAX holds \(item)")
        }
    }

    /// Every text at its longest, urgent, and a drill: two pages at most, nothing cut off, and
    /// urgency and consent on the first page, above the table.
    @Test func theLongestUrgentDrillReportStillFitsOnePage() throws {
        let (configuration, _, _) = try Self.notices()
        let concerns = try #require(configuration.concerns)
        var report = try ConcernEvent.decode(try Self.sample("concern-reported.json"))
        report.drill = true
        report.urgent = true
        report.observation = String(repeating: "店の前のベンチで長く座り込んでいる。", count: 22).prefix(ConcernEvent.maxNarrative) + ""
        report.subject?.address = String(repeating: "勝田のJA支所付近", count: 25).prefix(200) + ""
        report.subject?.name = String(repeating: "美作", count: 50)
        report.reporter?.organization = String(repeating: "ほっとマート", count: 16).prefix(100) + ""
        let route = concerns.contactDesks(area: "勝田", urgent: true, at: report.issuedAt, areas: configuration.areas)
        let renderer = NoticeRenderer(town: configuration.town, areas: configuration.areas)
        let notice = renderer.concernReport(report, route: route, concerns: concerns, sentAt: report.issuedAt)
        let page = try Self.page(notice, configuration: configuration)
        #expect(page.pages <= 2)
        if let out = ProcessInfo.processInfo.environment["MIMAMORI_CONCERN_LONGEST"] { try page.pdf.write(to: URL(fileURLWithPath: out)) }
        let firstPage = try Self.firstPageText(page.pdf)
        #expect(firstPage.contains(Self.squeezed("【至急】緊急の対応が必要との連絡です。")))
        #expect(firstPage.contains(Self.squeezed("情報提供同意有無：なし")))
        let text = Self.squeezed(page.text)
        for item in [
            "【訓練】【至急】見守りの情報提供", String(report.observation!.suffix(30)), String(report.subject!.address!.suffix(20)), "0868-75-0000",
            "結果の連絡方法",
        ] {
            #expect(text.contains(Self.squeezed(item)), "the FAX lacks \(item)")
        }
    }

    @Test func writeSamples() throws {
        guard ProcessInfo.processInfo.environment["MIMAMORI_WRITE_SAMPLES"] == "1" else { return }
        let (configuration, desk, result) = try Self.notices()
        let folder = try ServerProcess.temporaryDirectory("concern-samples")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (notice, name) in [(desk, "concern-desk-fax"), (result, "concern-result-fax")] {
            let pdf = folder.appendingPathComponent("\(name).pdf")
            try Self.page(notice, configuration: configuration).pdf.write(to: pdf)
            let stem = folder.appendingPathComponent(name).path
            _ = try runTool("/usr/bin/pdftoppm", ["-png", "-r", "72", "-singlefile", pdf.path, stem])
            let target = Self.root.appendingPathComponent("docs/samples/\(name).png")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: stem + ".png"), to: target)
        }
    }
}

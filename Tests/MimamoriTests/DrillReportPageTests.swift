import Foundation
import MimamoriCore
import MimamoriService
import Outlets
import TestFixtures
import Testing

/// The drill report's pages rendered and read back with poppler: a real case without the drill
/// banner, a long list carried over pages with its header repeated, and a town without
/// `confirm:` told so instead of 0%.
@Suite("drill report pages (ReportRenderer, read back with pdftotext)")
struct DrillReportPageTests {
    static let town = Configuration.Town(name: "紀美野町", department: "保健福祉課", phone: "073-489-9960")
    static let t0 = Date(timeIntervalSince1970: 1_794_000_000)

    /// `count` FAX cooperators reached by the alert, none of whom answered.
    static func report(drill: Bool, count: Int) -> DrillReport {
        let cooperators = (1...count).map {
            Cooperator(id: RecipientID("fax-\($0)"), name: "協力機関 その\($0)", channel: .fax, address: "+8173500\($0)", municipality: "kimino")
        }
        let deliveries = cooperators.map {
            DrillReport.Delivery(recipient: $0.id, channel: .fax, kind: .alert, state: .delivered, acceptedAt: t0.addingTimeInterval(30))
        }
        return DrillReport(
            subject: .init(caseID: CaseID("KIM-2026-0042"), drill: drill, openedAt: t0),
            events: [.init(sequence: 1, kind: "opened", issuedAt: t0, recordedAt: t0.addingTimeInterval(1))], deliveries: deliveries,
            cooperators: cooperators)
    }

    static func render(_ document: ReportDocument) throws -> (pages: Int, text: [String]) {
        let rendered = try ReportRenderer().render(document)
        let folder = try ServerProcess.temporaryDirectory("drill-pages")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("report.pdf")
        try rendered.pdf.write(to: pdf)
        let info = try runTool("/usr/bin/pdfinfo", [pdf.path])
        #expect(info.split(separator: "\n").first { $0.hasPrefix("Pages:") }?.split(separator: " ").last == "\(rendered.pages)")
        let pages = try (1...rendered.pages).map { page in
            try runTool("/usr/bin/pdftotext", ["-f", "\(page)", "-l", "\(page)", pdf.path, "-"]).filter { !$0.isWhitespace }
        }
        return (rendered.pages, pages)
    }

    @Test("a real case: no drill banner, 事案の報告 in the title, the footer on every page")
    func aRealCase() throws {
        let (pages, text) = try Self.render(
            DrillReportDocument.document(Self.report(drill: false, count: 3), town: Self.town, madeAt: Self.t0.addingTimeInterval(86_400)))
        #expect(pages >= 1)
        #expect(text[0].contains("紀美野町事案の報告（調整会議資料）"), "\(text[0])")
        #expect(!text.joined().contains("訓練"))
        for page in text { #expect(page.contains("事案番号KIM-2026-0042") && page.contains("職員限り")) }
    }

    @Test("a long list goes on over pages, its header repeated on each, no row lost")
    func aLongList() throws {
        let (pages, text) = try Self.render(
            DrillReportDocument.document(Self.report(drill: true, count: 120), town: Self.town, madeAt: Self.t0.addingTimeInterval(86_400)))
        #expect(pages >= 4, "\(pages) pages")
        let all = text.joined()
        for n in 1...120 { #expect(all.contains("fax-\(n)協力機関その\(n)FAX未未"), "fax-\(n) is missing") }
        for page in text.dropFirst(2) {
            #expect(page.hasPrefix("【訓練】この報告は訓練の記録です"), "the banner on every page")
            #expect(page.contains("宛先ID名前経路受け取り処分"), "the header again: \(page.prefix(200))")
        }
        #expect(text.enumerated().allSatisfy { $0.element.contains("\($0.offset + 1)/\(pages)") })
    }

    @Test("a town without confirm: is told none were asked")
    func noConfirmations() throws {
        let report = Self.report(drill: true, count: 2)
        let asked = try Self.render(DrillReportDocument.document(report, town: Self.town, madeAt: Self.t0))
        #expect(!asked.text.joined().contains("確認のしくみ（confirm:）がない"))
        let notAsked = try Self.render(DrillReportDocument.document(report, town: Self.town, madeAt: Self.t0, confirmationsAsked: false))
        #expect(notAsked.text.joined().contains("確認のしくみ（confirm:）がないため"))
    }
}

import Foundation
import MimamoriCore
import Outlets
import TestFixtures
import Testing

@testable import MimamoriService

/// The alert and its update as the cooperating institutions' FAX prints them: the Kimino sample
/// (`config/samples/case-opened.json`, `case-updated.json`, with or without the registration's
/// frequented places, real or drill) through the FAX adapter the daemon sends with. One A4 page
/// with every row (every extra page doubles the time the FAX takes to each institution); a
/// description too long for one page at 10.5 pt goes on over a second with no row split and
/// nothing lost; the termination and the destruction reminder are laid out as before.
@Suite("Alert FAX page: one A4 page (real renderer)")
struct AlertFaxPageTests {
    static let root = ServerProcess.repositoryRoot
    static let sentAt = Timestamp.parse("2026-11-27T20:34:00+09:00")!

    static func configuration() throws -> Configuration {
        try Configuration.parse(yaml: String(contentsOf: root.appendingPathComponent("config/mimamori.yaml"), encoding: .utf8))
    }

    /// The sample event as the intake completes it: its photo through `PhotoIntake`, then the
    /// registration it names (`config/samples/registration.yaml`) when `registered`.
    static func event(_ file: String = "case-opened.json", drill: Bool = false, registered: Bool) throws -> CaseEvent {
        var event = PhotoIntake(try CaseEvent.decode(try Data(contentsOf: root.appendingPathComponent("config/samples/\(file)")))).event
        event.drill = drill
        if registered { event = event.filled(from: try RegistrySheetTests.sample()) }
        return event
    }

    static func notice(_ event: CaseEvent, configuration: Configuration) -> RenderedNotice {
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory())
        return planner.renderer.description(
            event.kind == .opened ? .alert : .update, event: event, photo: planner.photoToAttach(for: event), sentAt: sentAt)
    }

    /// What the FAX adapter renders: the PDF, its fit, and each page's text without blanks.
    struct Page {
        var rendering: FaxRenderer.Rendering
        var pages: [String]
        /// The smallest type on any page, from poppler's word boxes (IPAex Gothic's box is one em).
        var smallestType: Double
        /// The type of the table's first value (the person's name), when there is a table.
        var nameType: Double?
        var banner: String?
        var all: String { pages.joined() }
    }

    /// With `confirm:` on, each delivery's FAX carries its confirmation band: the sample code's.
    static func page(_ notice: RenderedNotice, keep name: String? = nil, confirmed: Bool = false) throws -> Page {
        var confirmation: ConfirmationRequest?
        if confirmed {
            guard let request = try Self.sampleRequest(notice) else { throw FixtureError("\(notice.kind) asks for no confirmation") }
            confirmation = request
        }
        let document = FaxDeliveryOutlet.document(notice, created: sentAt, confirmation: confirmation)
        let rendering = try FaxDeliveryOutlet.renderer.render(document)
        let folder = try ServerProcess.temporaryDirectory("alert-fax")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("alert.pdf")
        try rendering.pdf.write(to: file)
        if let name, ProcessInfo.processInfo.environment["MIMAMORI_KEEP_TEST_FILES"] != nil {
            try rendering.pdf.write(to: URL(fileURLWithPath: "/tmp/mimamori-\(name).pdf"))
        }
        let info = try runTool("/usr/bin/pdfinfo", [file.path])
        let pageLine = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
        #expect(pageLine?.split(separator: " ").last == "\(rendering.pages)", "the renderer's page count is the PDF's: \(info)")
        let pages = try (1...rendering.pages).map { n in
            squeezed(try runTool("/usr/bin/pdftotext", ["-enc", "UTF-8", "-f", "\(n)", "-l", "\(n)", file.path, "-"]))
        }
        let boxes = try runTool("/usr/bin/pdftotext", ["-bbox", "-enc", "UTF-8", file.path, "-"])
        var heights: [(word: String, height: Double)] = []
        for match in boxes.matches(of: /yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">([^<]*)</) {
            heights.append((String(match.output.3), Double(match.output.2)! - Double(match.output.1)!))
        }
        let firstName = document.rows.first?.value.split(separator: " ").first.map(String.init)
        return Page(
            rendering: rendering, pages: pages, smallestType: heights.map(\.height).min() ?? 0,
            nameType: heights.first { $0.word == firstName }?.height, banner: document.drillBanner)
    }

    static func sampleRequest(_ notice: RenderedNotice) throws -> ConfirmationRequest? {
        var configuration = try configuration()
        var confirm = Configuration.Confirm(publicURL: "https://mimamori.town.example.jp")
        confirm.replyFax = "073-489-5999"
        configuration.confirm = confirm
        return ConfirmationRequest.sample(
            for: PlannedDelivery(
                caseID: notice.caseID, revision: notice.revision, recipient: RecipientID("fax-001"), channel: .fax, kind: notice.kind,
                notBefore: sentAt), configuration: configuration)
    }

    /// The longest description an event may carry is far more than a page: twenty features, long
    /// clothing and belongings, long place names.
    static func longEvent(drill: Bool) throws -> CaseEvent {
        var event = try Self.event(drill: drill, registered: true)
        event.person?.features = (1...14).map { "特徴その\($0)：左の頬に小さなほくろ、話しかけると笑顔で会釈する" }
        event.clothing = (1...8).map { "服装その\($0)：えんじ色の毛糸の帽子、紺色の厚手のカーディガン" }
        event.belongings = (1...8).map { "持ち物その\($0)：黒い布製の手提げかばん（中に財布と手帳）" }
        event.lastSeen?.place = "紀美野町野上新の県道180号線沿い、美里の湯かじか荘へ向かう途中のバス停「野上新」付近の歩道"
        event.lastSeen?.direction = "美里方面へ徒歩、その後は国道370号線を海南市の方向へ向かったとの目撃情報あり"
        event.registryAdditions?.frequentedPlaces = (1...6).map {
            Registration.Place(name: "長い名前の場所その\($0)（道の駅 美里の湯かじか荘の裏手にある集会所）", area: "美里")
        }
        return event
    }

    /// pdftotext breaks lines where the layout wrapped them; compare without any blank.
    static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
    }

    /// Every row on the page it starts on, label and value together (never 「（続き）」), and
    /// every lead line and paragraph somewhere.
    static func expectEverything(of notice: RenderedNotice, on page: Page, sourceLocation: SourceLocation = #_sourceLocation) {
        for row in notice.fax.rows {
            let whole = squeezed(row.label + row.value)
            let holding = page.pages.indices.filter { page.pages[$0].contains(whole) }
            #expect(holding.count == 1, "the row \(row.label) is not whole on one page", sourceLocation: sourceLocation)
        }
        #expect(!page.all.contains("（続き）"), "a row was split", sourceLocation: sourceLocation)
        for text in notice.fax.lead + notice.fax.paragraphs + [notice.fax.callout ?? ""] {
            for line in text.split(separator: "\n") {
                #expect(page.all.contains(squeezed(String(line))), "lost: \(line)", sourceLocation: sourceLocation)
            }
        }
        for n in page.pages.indices {
            #expect(page.pages[n].contains("案件番号\(notice.caseID.rawValue)\(n + 1)/\(page.pages.count)"), "page \(n + 1)'s footer")
            #expect(notice.drill == (page.banner != nil))
            if let banner = page.banner { #expect(page.pages[n].hasPrefix(squeezed(banner)), "page \(n + 1) says it is a drill") }
        }
    }

    @Test(
        "the Kimino sample alert and update are one A4 page with every row, registered or not, real or drill, with the confirmation band or without",
        arguments: ["case-opened.json", "case-updated.json"],
        [
            (false, false, false), (true, false, false), (false, true, false), (true, true, false), (false, false, true),
            (true, false, true),
            (true, true, true),
        ])
    func theSampleIsOnePage(file: String, variant: (registered: Bool, drill: Bool, confirmed: Bool)) throws {
        let notice = Self.notice(
            try Self.event(file, drill: variant.drill, registered: variant.registered), configuration: try Self.configuration())
        #expect(notice.fax.rows.contains { $0.label == "よく行く場所" } == variant.registered)
        #expect(notice.fax.photoAttached)
        let page = try Self.page(
            notice,
            keep: "\(notice.kind.rawValue)\(variant.registered ? "-registered" : "")\(variant.drill ? "-drill" : "")"
                + (variant.confirmed ? "-confirmed" : ""), confirmed: variant.confirmed)
        #expect(page.rendering.pages == 1, "\(page.rendering.fit)")
        Self.expectEverything(of: notice, on: page)
        #expect(page.rendering.fit.bodySize >= FaxFit.noticeFloor)
        #expect(page.rendering.fit.photoHeight >= FaxFit.photoFloor)
        // Measured on the page, not only asked of the renderer.
        let nameType = try #require(page.nameType)
        #expect(abs(nameType - page.rendering.fit.bodySize) < 0.1, "\(nameType) pt for \(page.rendering.fit)")
        #expect(page.smallestType >= FaxFit.noticeFloor - 0.05)
    }

    /// Two pages for the longest description, then, with every row whole (and the confirmation
    /// band, when asked, on the second).
    @Test(
        "a very long description goes on over a second page: nothing lost, no row split, type at 10.5 pt or more",
        arguments: [false, true], [false, true])
    func aVeryLongDescriptionTakesTwoPages(drill: Bool, confirmed: Bool) throws {
        let notice = Self.notice(try Self.longEvent(drill: drill), configuration: try Self.configuration())
        let page = try Self.page(notice, keep: "long-alert\(drill ? "-drill" : "")", confirmed: confirmed)
        #expect(page.rendering.pages == 2, "\(page.rendering.fit)")
        Self.expectEverything(of: notice, on: page)
        #expect(page.rendering.fit.bodySize >= FaxFit.noticeFloor)
        #expect(page.smallestType >= FaxFit.noticeFloor - 0.05)
        #expect(abs(try #require(page.nameType) - page.rendering.fit.bodySize) < 0.1)
        // The title, the photo and the framed sightings number open the first page.
        #expect(page.pages[0].contains("見かけた方は、町ではなく、警察へ直接ご連絡ください。"))
        #expect(page.pages[0].contains("ご本人の写真（ご家族の同意を得て掲載）"))
    }

    @Test(
        "the termination and both destruction reminders keep the layout they had: one page, nothing made smaller, band or not",
        arguments: [false, true], [false, true])
    func closingNoticesAreAsBefore(drill: Bool, confirmed: Bool) throws {
        let configuration = try Self.configuration()
        let renderer = Planner(configuration: configuration, directory: CooperatorDirectory()).renderer
        let caseID = CaseID("KN-2026-0042")
        for notice in [
            renderer.termination(caseID: caseID, revision: 3, drill: drill, firstNoticeAt: Self.sentAt, sentAt: Self.sentAt),
            renderer.destructionReminder(
                caseID: caseID, revision: 3, drill: drill, documentsFrom: Self.sentAt, documentsTo: Self.sentAt, terminatedAt: Self.sentAt,
                sentAt: Self.sentAt),
            renderer.destructionSecondReminder(
                caseID: caseID, revision: 3, drill: drill, documentsFrom: Self.sentAt, documentsTo: Self.sentAt, terminatedAt: Self.sentAt,
                firstReminderAt: Self.sentAt.addingTimeInterval(86400), sentAt: Self.sentAt.addingTimeInterval(4 * 86400)),
        ] {
            let page = try Self.page(notice, keep: "\(notice.kind.rawValue)\(drill ? "-drill" : "")", confirmed: confirmed)
            #expect(page.rendering.pages == 1, "\(notice.kind)")
            #expect(page.rendering.fit == FaxFit.noticeSteps(photo: false)[0], "\(notice.kind): \(page.rendering.fit)")
            Self.expectEverything(of: notice, on: page)
        }
    }
}

import Foundation
import MimamoriCore
import MimamoriService
import TestFixtures
import Testing

/// The 緊急一時保護依頼書 as the facility's FAX machine prints it: Kimino's settings
/// (`config/mimamori.yaml`, やすらぎ園), through the FAX adapter the daemon sends with. One A4 page
/// laid out as 第1号様式, every field on it; the amended request says 「（変更）」; the facility's
/// destruction reminder holds no personal data. `MIMAMORI_WRITE_SAMPLES=1` refreshes
/// `docs/samples/shelter-request.png` (small, for review by eye).
@Suite("Shelter request FAX page (real renderer)")
struct ShelterFaxPageTests {
    static let root = ServerProcess.repositoryRoot

    static func configuration() throws -> Configuration {
        try Configuration.parse(yaml: String(contentsOf: root.appendingPathComponent("config/mimamori.yaml"), encoding: .utf8))
    }

    /// A registered person, protected by the police, for 3 days with the town head's approval.
    static let registered = ShelterRequest(
        name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, age: 82, dateOfBirth: LocalDate(1944, 5, 3),
        phone: "073-489-1234", address: "海草郡紀美野町野上新1234番地",
        contacts: [Registration.Contact(name: "紀美野 一郎", relation: "長男", phone: "090-1234-5678")], protectedBy: "海南警察署",
        careLevel: "要介護2", careNotes: ["右耳が聞こえにくい（左側から話しかける）", "杖で歩く", "夕方に家へ帰りたがる"])

    static let stay = ShelterStay(
        caseID: CaseID("KN-2026-0042"), facilityID: "yasuragi", startsOn: LocalDate(2026, 11, 27), days: 3, approvedBy: "紀美野 太郎",
        state: .sent, revision: 3)

    static let sentAt = Timestamp.parse("2026-11-27T18:10:00+09:00")!

    /// The PDF the FAX adapter makes, its page count and its text without blanks.
    static func page(_ notice: RenderedNotice, configuration: Configuration) throws -> (pdf: Data, pages: Int, text: String) {
        let delivery = PlannedDelivery(
            caseID: notice.caseID, revision: notice.revision, recipient: ShelterStay.facilityRecipient("yasuragi"), channel: .fax,
            kind: notice.kind, notBefore: sentAt)
        let files = try FaxDeliveryOutlet.render(notice, delivery: delivery, configuration: configuration)
        let pdf = try #require(files.first { $0.name.hasSuffix(".pdf") }).bytes
        return (pdf, files.filter { $0.name.hasSuffix(".png") }.count, try pdfText(pdf))
    }

    static func pdfText(_ pdf: Data, layout: Bool = false) throws -> String {
        let folder = try ServerProcess.temporaryDirectory("shelter-fax")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("request.pdf")
        try pdf.write(to: file)
        let text = try runTool("/usr/bin/pdftotext", (layout ? ["-layout"] : []) + ["-enc", "UTF-8", file.path, "-"])
        return layout ? text : squeezed(text)
    }

    static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
    }

    static func request(_ request: ShelterRequest = registered, stay: ShelterStay = stay) throws -> (Configuration, RenderedNotice) {
        let configuration = try configuration()
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory())
        let plan = planner.shelterRequest(stay, request: request, now: sentAt)
        return (configuration, try #require(plan.notices.first))
    }

    @Test("the request is one A4 page in 第1号様式's order with every field, the period in days, the town's contact")
    func theRequestIsOnePageWithEveryField() throws {
        let (configuration, notice) = try Self.request()
        let page = try Self.page(notice, configuration: configuration)
        #expect(page.pages == 1)
        let fields = [
            "緊急一時保護依頼書", "第KN-2026-0042号", "2026年11月27日（金）", "介護老人福祉施設やすらぎ園様", "紀美野町長",
            "次の者について、緊急一時保護を委託します。", "記", "ふりがな", "きみのはなこ", "氏名", "紀美野花子", "性別", "女性", "生年月日（年齢）",
            "昭和19年5月3日（1944年）生（82歳）", "電話", "073-489-1234", "住所", "海草郡紀美野町野上新1234番地", "連絡先", "紀美野一郎（長男、電話090-1234-5678）",
            "保護した機関", "海南警察署", "委託期間", "2026年11月27日（金）から2026年11月29日（日）まで（3日間）", "委託理由", "徘徊により一時保護が必要となったため",
            "委託料", "徘徊に係る緊急一時保護の取り扱いについて第6条の規定による", "介護の情報", "要介護2、右耳が聞こえにくい（左側から話しかける）、杖で歩く、夕方に家へ帰りたがる",
            "その他", "2日を超える期間は、町長が特に必要と認めたものです（取り扱い第5条ただし書）。", "町の担当へ：紀美野町保健福祉課（電話073-489-9960）",
            "この依頼書は個人情報です。", "案件番号KN-2026-0042",
        ]
        var last = page.text.startIndex
        for field in fields {
            let squeezed = Self.squeezed(field)
            let found = page.text.range(of: squeezed, range: last..<page.text.endIndex)
            #expect(found != nil, "the request lacks \(field) (or it is out of the form's order)")
            if let found { last = found.upperBound }
        }
        // The approving official is for the ledger's audit, not the facility.
        #expect(!page.text.contains(Self.squeezed("紀美野 太郎")))
    }

    @Test("a drill's request is marked on every part and still one page")
    func aDrillIsMarked() throws {
        var stay = Self.stay
        stay.drill = true
        let (configuration, notice) = try Self.request(stay: stay)
        let page = try Self.page(notice, configuration: configuration)
        #expect(page.pages == 1)
        #expect(notice.fax.title == "【訓練】緊急一時保護依頼書" && notice.fax.banner != nil)
        #expect(page.text.contains(Self.squeezed(try #require(notice.fax.banner))))
        #expect(notice.email.subject.hasPrefix("【訓練】") && notice.email.body.contains("【訓練】"))
    }

    @Test("the form's head stands as on paper: number and date to the right, 記 in the middle")
    func theHeadIsAligned() throws {
        let (_, notice) = try Self.request()
        #expect(notice.fax.lead.first == "第 KN-2026-0042 号")
        #expect(notice.fax.alignment(ofLead: 0) == .right && notice.fax.alignment(ofLead: 1) == .right)
        #expect(notice.fax.lead.contains("介護老人福祉施設やすらぎ園 様"))
        let sender = try #require(notice.fax.lead.firstIndex(of: "紀美野町長"))
        #expect(notice.fax.alignment(ofLead: sender) == .right)
        let ki = try #require(notice.fax.lead.firstIndex(of: "記"))
        #expect(notice.fax.alignment(ofLead: ki) == .centre && ki == notice.fax.lead.count - 1)
        let text = try Self.pdfText(Self.page(notice, configuration: try Self.configuration()).pdf, layout: true)
        let numberLine = try #require(text.split(separator: "\n").first { $0.contains("KN-2026-0042 号") })
        let addressee = try #require(text.split(separator: "\n").first { $0.contains("やすらぎ園 様") })
        // Right-aligned text begins far to the right of the left margin; the addressee at it.
        #expect(numberLine.prefix { $0 == " " }.count > 40, "\(numberLine)")
        #expect(addressee.prefix { $0 == " " }.count < 5, "\(addressee)")
    }

    @Test("without a registration the town's unknowns are left for the facility and the family, and the family contact is the town's phone")
    func withoutARegistration() throws {
        let request = ShelterRequest(name: "不明 花子", nameKana: "ふめい はなこ", sex: .female, age: 80, protectedBy: "海南警察署")
        var stay = Self.stay
        stay.days = 2
        stay.approvedBy = nil
        let (configuration, notice) = try Self.request(request, stay: stay)
        let text = try Self.page(notice, configuration: configuration).text
        let unknown = Self.squeezed(NoticeRenderer.shelterUnknown)
        for field in ["生年月日（年齢）年齢80歳（生年月日はご家族・保護機関に確認のうえご記入ください）", "電話" + unknown, "住所" + unknown] {
            #expect(text.contains(Self.squeezed(field)), "\(field)")
        }
        #expect(text.contains(Self.squeezed("連絡先ご家族の連絡先は、紀美野町保健福祉課（電話 073-489-9960）へお問い合わせください")))
        #expect(text.contains(Self.squeezed("介護の情報（登録された情報はありません。")))
        #expect(!text.contains("第5条ただし書"), "2 days need no approval")
    }

    @Test("an extension sends the amended request: （変更）, its own number, the new period")
    func theAmendedRequest() throws {
        let extended = try Self.stay.extended(by: 2, approvedBy: "紀美野 太郎")
        let (configuration, notice) = try Self.request(stay: extended)
        #expect(notice.revision == 4 && notice.fax.title == "緊急一時保護依頼書（変更）")
        let text = try Self.page(notice, configuration: configuration).text
        for field in [
            "緊急一時保護依頼書（変更）", "第KN-2026-0042-2号", "先にお願いした次の者の緊急一時保護について、委託期間を次のとおり変更します。",
            "2026年11月27日（金）から2026年12月1日（火）まで（5日間）",
        ] {
            #expect(text.contains(Self.squeezed(field)), "\(field)")
        }
        #expect(notice.email.subject.contains("緊急一時保護依頼書（変更）の控え"))
    }

    @Test("the staff's copy is the same form in an email, with the commands for what comes next")
    func theStaffCopy() throws {
        let (_, notice) = try Self.request()
        #expect(notice.email.subject == "【紀美野町】緊急一時保護依頼書の控え 介護老人福祉施設やすらぎ園（案件番号 KN-2026-0042）")
        for line in [
            "介護老人福祉施設やすらぎ園（FAX 073-489-5000、電話 073-489-5001）へ FAX で送ります", "mimamori shelter extend KN-2026-0042",
            "mimamori shelter end KN-2026-0042", "生年月日　　　昭和19年5月3日（1944年）生（82歳）", "連絡先　　　　紀美野 一郎（長男、電話 090-1234-5678）",
            "委託期間　　　2026年11月27日（金）から2026年11月29日（日）まで（3日間）",
        ] {
            #expect(notice.email.body.contains(line), "the copy lacks \(line)")
        }
    }

    @Test("the facility's destruction reminder names the requests and dates, nothing of the person")
    func theDestructionReminder() throws {
        let configuration = try Self.configuration()
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory())
        let extended = try Self.stay.extended(by: 1, approvedBy: "紀美野 太郎")
        let ended = Timestamp.parse("2026-11-30T10:00:00+09:00")!
        let plan = try planner.shelterEnd(extended, request: Self.registered, now: ended)
        let notice = try #require(plan.notices.first)
        let delivery = try #require(plan.deliveries.first)
        #expect(plan.deliveries.count == 1 && delivery.planned.kind == .shelterDestruction && delivery.planned.channel == .fax)
        #expect(
            delivery.planned.recipient == ShelterStay.facilityRecipient("yasuragi")
                && delivery.address == Addresses.normalisedFaxNumber("073-489-5000"))
        // The next business morning at reminders.destruction-at.
        #expect(delivery.planned.notBefore == Timestamp.parse("2026-12-01T09:00:00+09:00")!)
        let page = try Self.page(notice, configuration: configuration)
        #expect(page.pages == 1)
        for field in ["緊急一時保護依頼書の処分のお願い", "第KN-2026-0042号、第KN-2026-0042-2号", "2026年11月30日（月）", "委託料のご請求など"] {
            #expect(page.text.contains(Self.squeezed(field)), "\(field)")
        }
        for word in ["紀美野花子", "きみの", "090-1234-5678", "海南警察署", "要介護", "1944", "野上新"] {
            #expect(!page.text.contains(word) && !notice.email.body.contains(word), "the reminder holds \(word)")
        }
    }

    @Test func writeSamples() throws {
        guard ProcessInfo.processInfo.environment["MIMAMORI_WRITE_SAMPLES"] == "1" else { return }
        let (configuration, notice) = try Self.request()
        let folder = try ServerProcess.temporaryDirectory("shelter-samples")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("shelter-request.pdf")
        try Self.page(notice, configuration: configuration).pdf.write(to: pdf)
        if let keep = ProcessInfo.processInfo.environment["MIMAMORI_SHELTER_PDF"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: pdf, to: URL(fileURLWithPath: keep))
        }
        let stem = folder.appendingPathComponent("shelter-request").path
        _ = try runTool("/usr/bin/pdftoppm", ["-png", "-r", "72", "-singlefile", pdf.path, stem])
        let target = Self.root.appendingPathComponent("docs/samples/shelter-request.png")
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: stem + ".png"), to: target)
        try ("Subject: " + notice.email.subject + "\n\n" + notice.email.body)
            .write(to: Self.root.appendingPathComponent("docs/samples/shelter-request.staff-copy.txt"), atomically: true, encoding: .utf8)
    }
}

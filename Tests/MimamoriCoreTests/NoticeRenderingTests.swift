import Foundation
import Testing

@testable import MimamoriCore

@Suite("Notice rendering")
struct NoticeRenderingTests {
    /// Every notice the sample case produces: alert, update, termination, destruction reminder.
    static func sampleNotices(drill: Bool) throws -> [RenderedNotice] {
        let planner = try Sample.planner()
        var opened = try Sample.opened()
        opened.drill = drill
        let alert = planner.renderer.description(.alert, event: opened, photo: planner.photoToAttach(for: opened), sentAt: Sample.now)
        var updated = opened
        updated.sequence = 2
        updated.kind = .updated
        updated.lastSeen?.at = Sample.at("2026-11-27T17:10:00+09:00")
        updated.lastSeen?.place = "紀美野町野中のバス停付近"
        updated.lastSeen?.direction = nil
        let update = planner.renderer.description(
            .update, event: updated, photo: planner.photoToAttach(for: updated), sentAt: Sample.at("2026-11-27T17:30:00+09:00"))
        let closing = Sample.at("2026-11-27T19:15:00+09:00")
        let plan = planner.closure(
            caseID: opened.caseID, revision: 3, drill: drill,
            history: DeliveryHistory(personalDataRecipients: [RecipientID("mail-001"): [.email]], radioAnnounced: true),
            documentsFrom: Sample.now, documentsTo: Sample.at("2026-11-28T09:30:00+09:00"), now: closing)
        return [alert, update] + plan.notices
    }

    static func files(_ notice: RenderedNotice) -> [(String, String)] {
        let prefix = (notice.drill ? "drill-" : "") + notice.kind.rawValue
        var files = [
            ("\(prefix).email.txt", "Subject: \(notice.email.subject)\n\n\(notice.email.body)"),
            ("\(prefix).fax.txt", notice.fax.plainText),
        ]
        if let radio = notice.radio { files.append(("\(prefix).radio.txt", radio.text)) }
        return files
    }

    @Test(arguments: [false, true])
    func goldenFiles(drill: Bool) throws {
        let notices = try Self.sampleNotices(drill: drill)
        #expect(notices.map(\.kind) == [.alert, .update, .termination, .destructionReminder])
        for notice in notices {
            for (name, text) in Self.files(notice) { try Files.expectGolden(text, name) }
        }
    }

    /// Sloppy spacing in an overridden template, and the same template saved by Notepad with
    /// CRLF line endings, both give the tidy text.
    @Test func tidyTextWhateverTheTemplatesSpacing() {
        let sloppy = "\n\n行方不明者のお知らせ   \n\n\n\n  服装：紺のジャンパー \n\n\n"
        let tidy = "行方不明者のお知らせ\n\n  服装：紺のジャンパー\n"
        #expect(NoticeRenderer.tidy(sloppy) == tidy)
        #expect(NoticeRenderer.tidy(sloppy.replacingOccurrences(of: "\n", with: "\r\n")) == tidy)
        #expect(NoticeRenderer.tidy("") == "\n")
        #expect(NoticeRenderer.tidy("一行") == "一行\n")
    }

    @Test func theDrillMarkIsOneRule() throws {
        #expect(drillMark(drill: false) == nil)
        let mark = try #require(drillMark(drill: true))
        for notice in try Self.sampleNotices(drill: true) {
            // The templates place the rule's words: the mark and the spoken line are drillMark's.
            #expect(notice.email.subject.hasPrefix(mark.mark))
            #expect(notice.email.body.hasPrefix(mark.mark + "これは訓練のための連絡です。"))
            #expect(notice.fax.lead.first?.hasPrefix(mark.mark) == true)
            if let radio = notice.radio?.text { #expect(radio.hasPrefix(mark.spoken + "\n")) }
            #expect(notice.fax.banner == mark.banner)
        }
        for notice in try Self.sampleNotices(drill: false) { #expect(notice.fax.banner == nil) }
    }

    @Test func aTemplateWordsTheFAXBanner() throws {
        let templates = try NoticeTemplates(overrides: ["alert.fax": "# {{mark}}お願い\n{{#drill}}\n! {{mark}}訓練用の書類です\n{{/drill}}\n本文\n"])
        let renderer = NoticeRenderer(templates: templates, town: try Sample.planner().renderer.town)
        var event = try Sample.opened()
        event.drill = true
        let page = renderer.description(.alert, event: event, photo: nil, sentAt: Sample.now).fax
        #expect(page.banner == "【訓練】訓練用の書類です")
        #expect(page.title == "【訓練】お願い")
        #expect(page.lead == ["本文"])
    }

    @Test func drillMarksEveryPart() throws {
        for notice in try Self.sampleNotices(drill: true) {
            #expect(notice.email.subject.hasPrefix("【訓練】"))
            #expect(notice.email.body.hasPrefix("【訓練】"))
            #expect(notice.fax.title.hasPrefix("【訓練】"))
            if let radio = notice.radio?.text {
                #expect(radio.hasPrefix("これは訓練です。"))
                #expect(radio.hasSuffix("これは訓練です。\n"))
            }
        }
        for notice in try Self.sampleNotices(drill: false) {
            let all = notice.email.subject + notice.email.body + notice.fax.plainText + (notice.radio?.text ?? "")
            #expect(!all.contains("訓練"))
        }
    }

    static let personalData = [
        "紀美野 花子", "きみの はなこ", "82歳", "150", "やせ型", "白髪", "杖", "下佐々", "カーディガン", "運動靴", "かばん", "県道", "野中", "海南警察署", "073-400-0110",
    ]

    @Test(arguments: [false, true])
    func terminationAndReminderHoldNoPersonalDataAndNoOutcome(drill: Bool) throws {
        let notices = try Self.sampleNotices(drill: drill).filter { !$0.kind.carriesPersonalData }
        #expect(notices.count == 2)
        for notice in notices {
            let all = notice.email.subject + notice.email.body + notice.fax.plainText + (notice.radio?.text ?? "")
            for word in Self.personalData { #expect(!all.contains(word), "\(notice.kind) contains \(word)") }
            for outcome in ["無事", "死亡", "亡くな", "怪我", "けが", "ケガ", "遺体", "保護され", "発見され", "見つか", "搬送", "病院"] {
                #expect(!all.contains(outcome), "\(notice.kind) states an outcome: \(outcome)")
            }
            #expect(all.contains("KN-2026-0042") || notice.radio?.text == all)
            #expect(notice.photo == nil && !notice.fax.photoAttached)
        }
        let termination = try #require(notices.first { $0.kind == .termination })
        #expect(termination.email.body.contains("終了しました"))
        #expect(termination.email.body.contains("ありがとうございました"))
        #expect(termination.email.body.contains("直ちに処分"))
        #expect(termination.email.body.contains("第11条第3項"))
        let reminder = try #require(notices.first { $0.kind == .destructionReminder })
        #expect(reminder.radio == nil)
        #expect(reminder.email.body.contains("2026年11月27日（金）から11月28日（土）まで"))
    }

    /// With confirmations the reminder asks for the 処分しました beside it; without, it tells those
    /// who destroyed that nothing more is needed. Each wording only where it is true.
    @Test("the destruction reminder asks for 処分しました only when confirm: is set", arguments: [false, true])
    func reminderWordingFollowsConfirm(confirmations: Bool) throws {
        var planner = try Sample.planner()
        planner.renderer.confirmations = confirmations
        let plan = planner.closure(
            caseID: CaseID("KN-2026-0042"), revision: 3, drill: false,
            history: DeliveryHistory(personalDataRecipients: [RecipientID("mail-001"): [.email]], radioAnnounced: false),
            documentsFrom: Sample.now, documentsTo: Sample.at("2026-11-28T09:30:00+09:00"), now: Sample.now)
        let reminder = try #require(plan.notices.first { $0.kind == .destructionReminder })
        for text in [reminder.email.body, reminder.fax.plainText] {
            #expect(text.contains("「処分しました」") == confirmations, "\(text)")
            #expect(text.contains("すでに処分していただいている場合は、ご対応は不要です。") == !confirmations, "\(text)")
        }
    }

    @Test func radioScriptIsForReadingAloud() throws {
        let alert = try #require(try Self.sampleNotices(drill: false).first)
        let radio = try #require(alert.radio?.text)
        #expect(radio.contains("きみの はなこさん、82歳の女性"))
        #expect(radio.contains("身長は150センチくらい"))
        #expect(radio.contains("午後3時30分ごろ"))
        #expect(radio.contains("073の400の0110"))
        // No kanji name, no residence.
        #expect(!radio.contains("紀美野 花子"))
        #expect(!radio.contains("お住まい"))
        let withoutPlace = radio.replacingOccurrences(of: "紀美野町下佐々の県道沿い", with: "")
        #expect(!withoutPlace.contains("下佐々"))
    }

    @Test func photoOnlyWithConsent() throws {
        let planner = try Sample.planner()
        var event = try Sample.opened()
        event.consent.photo = false
        let without = planner.renderer.description(.alert, event: event, photo: planner.photoToAttach(for: event), sentAt: Sample.now)
        #expect(without.photo == nil && !without.fax.photoAttached)
        #expect(without.email.body.contains("写真の添付はありません"))
        event.consent.photo = true
        let with = planner.renderer.description(.alert, event: event, photo: planner.photoToAttach(for: event), sentAt: Sample.now)
        #expect(with.photo == event.photo && with.fax.photoAttached)
        #expect(with.email.body.contains("写真を添付しています"))
    }

    @Test func templateSyntaxInEventDataStaysLiteral() throws {
        let planner = try Sample.planner()
        var event = try Sample.opened()
        event.person?.name = "{{town.phone}} {{#drill}}x{{/drill}} <b>&amp;"
        event.clothing = ["{{{mark}}}"]
        let notice = planner.renderer.description(.alert, event: event, photo: nil, sentAt: Sample.now)
        #expect(notice.email.body.contains("{{town.phone}} {{#drill}}x{{/drill}} <b>&amp;"))
        #expect(notice.email.body.contains("{{{mark}}}"))
        #expect(notice.fax.rows.first?.value.hasPrefix("{{town.phone}}") == true)
    }

    @Test func faxPageIsStructured() throws {
        let alert = try #require(try Self.sampleNotices(drill: false).first)
        #expect(alert.fax.title == "行方不明の方の発見支援のお願い")
        #expect(
            alert.fax.rows.map(\.label) == [
                "氏名", "年齢・性別", "身長・体格", "髪", "特徴", "お住まい", "服装", "持ち物", "最後に見かけた日時", "最後に見かけた場所", "向かった方向",
            ])
        #expect(alert.fax.rows[0].value == "紀美野 花子（きみの はなこ）")
        // The sightings number is the framed callout under the lead, not a paragraph at the end.
        #expect(alert.fax.callout == "見かけた方は、町ではなく、警察へ直接ご連絡ください。\n海南警察署　電話 073-400-0110")
        #expect(alert.fax.lead.count == 1 && alert.fax.lead[0].contains("次の方が行方不明になり"))
        #expect(!alert.fax.paragraphs.contains { $0.contains("073-400-0110") })
        #expect(alert.fax.paragraphs.contains { $0.contains("裁断") })
    }

    @Test func overridesReplaceBuiltInsAndAreChecked() throws {
        let templates = try NoticeTemplates(overrides: ["alert.email-subject": "{{mark}}至急 {{caseRef}} & {{town.name}}"])
        let planner = Planner(configuration: try Sample.configuration(), directory: try Sample.directory(), templates: templates)
        let notice = planner.renderer.description(.alert, event: try Sample.opened(), photo: nil, sentAt: Sample.now)
        #expect(notice.email.subject == "至急 KN-2026-0042 & 紀美野町")
        #expect(throws: TemplateError.self) { try NoticeTemplates(overrides: ["alert.email-body": "{{#person}}unclosed"]) }
        do {
            _ = try NoticeTemplates(overrides: ["alert.sms": "x", "termination.fax": "{{/nope}}"])
            Issue.record("should have thrown")
        } catch {
            #expect(error.problems.map(\.name) == ["alert.sms", "termination.fax"])
        }
    }

    @Test func withoutANamedRegulationNothingIsCited() throws {
        var configuration = try Sample.configuration()
        configuration.town.network = nil
        configuration.town.regulation = nil
        let planner = Planner(configuration: configuration, directory: try Sample.directory())
        let alert = planner.renderer.description(.alert, event: try Sample.opened(), photo: nil, sentAt: Sample.now)
        let end = planner.renderer.termination(
            caseID: CaseID("X"), revision: 2, drill: false, firstNoticeAt: Sample.now, sentAt: Sample.now)
        for text in [alert.email.body, alert.fax.plainText, end.email.body, end.fax.plainText] {
            #expect(!text.contains("要綱") && !text.contains("条"))
            #expect(text.contains("協力機関") && !text.contains("ネットワーク"))
        }
    }

    @Test func everyBuiltInTemplateCompilesAndIsNamed() {
        #expect(Set(BuiltInTemplates.texts.keys) == Set(NoticeTemplates.names))
        // Four parts per kind; the radio part only for kinds the radio broadcasts.
        #expect(NoticeTemplates.names.count == 30)
    }

    @Test func noticesRoundTripThroughJSON() throws {
        for notice in try Self.sampleNotices(drill: false) {
            let data = try JSONEncoder().encode(notice)
            #expect(try JSONDecoder().decode(RenderedNotice.self, from: data) == notice)
        }
    }

    @Test(arguments: [
        ("2026-11-27T15:30:00+09:00", "2026年11月27日（金）15時30分", "11月27日、午後3時30分ごろ"),
        ("2026-11-28T00:05:00+09:00", "2026年11月28日（土）0時05分", "11月28日、午前0時5分ごろ"),
        ("2026-11-27T12:00:00+09:00", "2026年11月27日（金）12時00分", "11月27日、午後0時ごろ"),
        ("2026-12-31T14:59:00Z", "2026年12月31日（木）23時59分", "12月31日、午後11時59分ごろ"),
    ])
    func japaneseDates(_ iso: String, _ written: String, _ spoken: String) {
        let instant = Sample.at(iso)
        #expect(JapaneseDateFormat.dateTime(instant) == written)
        #expect(JapaneseDateFormat.spokenDateTime(instant) == spoken)
    }
}

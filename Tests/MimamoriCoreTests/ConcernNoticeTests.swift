import Foundation
import Testing

@testable import MimamoriCore

/// The notices of a concern as a desk worker and the reporting shop read them: who learns what
/// (seed section 4), consent and urgency where the eye falls first, the drill mark everywhere.
@Suite("Concern notices")
struct ConcernNoticeTests {
    static let receivedAt = ConcernSample.at("2026-12-02T10:21")
    static let resolvedAt = ConcernSample.at("2026-12-03T15:00")

    static func deskNotice(_ report: ConcernEvent? = nil, at: Date = receivedAt) throws -> RenderedNotice {
        let c = try ConcernSample.configuration()
        let concerns = try #require(c.concerns)
        let report = try report ?? ConcernSample.reported()
        let route = concerns.contactDesks(area: report.subject?.area, urgent: report.urgent, at: at, areas: c.areas)
        return try ConcernSample.renderer().concernReport(report, route: route, concerns: concerns, sentAt: at)
    }

    /// The sample's result with a text that names no place (staff may write one; the template must not).
    static let plainResult = "職員が訪問し、ご本人とお話ししました。必要な支援につなげています。ご連絡ありがとうございました。"

    static func resultNotice(_ report: ConcernEvent? = nil, result: String = plainResult) throws -> RenderedNotice {
        try ConcernSample.renderer().concernResult(try report ?? ConcernSample.reported(), result: result, revision: 2, sentAt: resolvedAt)
    }

    /// Everything a reader of one channel sees.
    static func texts(_ n: RenderedNotice) -> [(channel: String, text: String)] {
        [("email", n.email.subject + "\n" + n.email.body), ("fax", n.fax.plainText)]
    }

    static let reporterDetails = ["ほっとマート勝田店", "作東 花子", "0868-75-0000", "tenpo@hotmart.example.jp"]

    // MARK: privacy

    @Test func theDeskSeesEverythingTheReporterGave() throws {
        let n = try Self.deskNotice()
        let report = try ConcernSample.reported()
        let items = Self.reporterDetails.dropLast() + ["美作 一郎", "勝田のJA支所付近", "勝田", try #require(report.observation), "MS-C-2026-0007"]
        for (channel, text) in Self.texts(n) {
            for item in items { #expect(text.contains(item), "\(channel) lacks \(item)") }
            #expect(!text.contains("tenpo@hotmart.example.jp"), "\(channel): the desk needs how, not where, the result goes")
        }
        let labels = n.fax.rows.map(\.label)
        for label in ["氏名", "住所", "情報提供内容", "緊急対応の有無", "情報提供同意有無", "協力団体名", "情報提供者氏名", "電話番号"] {
            #expect(labels.contains(label), "the FAX table lacks \(label) (seed section 7)")
        }
        #expect(n.fax.rows.first { $0.label == "結果の連絡方法" }?.value == "書面（メール）")
    }

    @Test(arguments: [false, true])
    func theResultNoticeHoldsNothingOfTheReporterAndNothingOfTheSubjectButTheName(_ fax: Bool) throws {
        var report = try ConcernSample.reported()
        if fax { report.reporter?.fax = "0868-75-0001" }
        let n = try Self.resultNotice(report)
        let forbidden =
            Self.reporterDetails + ["0868-75-0001", "勝田", "JA支所", try #require(report.observation), "支払い", "ベンチ"]
            + ["0868-75-3601", "0868-73-0330"]
        for (channel, text) in Self.texts(n) {
            for item in forbidden { #expect(!text.contains(item), "\(channel) holds \(item)") }
            for item in ["美作 一郎さん", "MS-C-2026-0007", Self.plainResult, "2026年12月2日（水）"] {
                #expect(text.contains(item), "\(channel) lacks \(item)")
            }
        }
    }

    @Test func aResultWithoutTheSubjectsNameNamesNobody() throws {
        var report = try ConcernSample.reported()
        report.subject?.name = nil
        let n = try Self.resultNotice(report)
        for (channel, text) in Self.texts(n) {
            #expect(!text.contains("さんの件") && !text.contains("対象の方 "), "\(channel)")
            #expect(!text.contains("不明"), "\(channel): an unknown name is left out, not printed")
        }
        #expect(!n.fax.rows.map(\.label).contains("対象の方"))
    }

    // MARK: consent and urgency

    @Test(arguments: [false, true])
    func consentIsTheFirstThingTheDeskReads(_ consent: Bool) throws {
        var report = try ConcernSample.reported()
        report.consent = consent
        let n = try Self.deskNotice(report)
        let word = consent ? "情報提供同意有無：あり" : "情報提供同意有無：なし"
        let head = n.email.body.split(separator: "\n").prefix(4).joined(separator: "\n")
        #expect(head.contains(word), "\(head)")
        #expect(n.fax.callout?.contains(word) == true)
        #expect(n.fax.rows.first { $0.label == "情報提供同意有無" }?.value.hasPrefix(consent ? "あり" : "なし") == true)
        #expect(n.email.body.contains("伝え方にご配慮ください") == !consent)
    }

    @Test(arguments: [false, true])
    func urgentIsInTheSubjectTheTitleAndTheFirstLine(_ urgent: Bool) throws {
        var report = try ConcernSample.reported()
        report.urgent = urgent
        let n = try Self.deskNotice(report)
        #expect(n.email.subject.hasPrefix("【至急】") == urgent, "\(n.email.subject)")
        #expect(n.fax.title.hasPrefix("【至急】") == urgent, "\(n.fax.title)")
        let lines = n.email.body.split(separator: "\n")
        #expect(lines.dropFirst().first?.hasPrefix("【至急】") == urgent)
        #expect(n.fax.callout?.hasPrefix("【至急】") == urgent)
        #expect(n.fax.rows.first { $0.label == "緊急対応の有無" }?.value.hasPrefix(urgent ? "あり" : "なし") == true)
        if urgent {
            // The centre and the station: each knows the other has it.
            #expect(lines.first == "勝田地域ステーション、美作市総合相談支援センター ご担当者さま")
            #expect(n.email.body.contains("この連絡は、勝田地域ステーション、美作市総合相談支援センターにそれぞれお送りしています。"))
        } else {
            #expect(lines.first == "勝田地域ステーション ご担当者さま")
            #expect(!n.email.body.contains("それぞれお送り"))
        }
    }

    @Test func theResultIsNeverUrgent() throws {
        var report = try ConcernSample.reported()
        report.urgent = true
        let n = try Self.resultNotice(report)
        for (channel, text) in Self.texts(n) { #expect(!text.contains("至急"), "\(channel)") }
    }

    // MARK: how the result goes back

    static let phoneOnly = ConcernEvent.Reporter(organization: "ほっとマート勝田店（架空）", phone: "0868-75-0000")

    @Test func aReporterWithAPhoneOnlyIsToBeCalledBack() throws {
        var report = try ConcernSample.reported()
        report.reporter = Self.phoneOnly
        let n = try Self.deskNotice(report)
        #expect(n.fax.rows.first { $0.label == "結果の連絡方法" }?.value == "電話（書面の連絡先はありません）")
        #expect(n.fax.rows.first { $0.label == "情報提供者氏名" }?.value == "（名乗りなし）")
        #expect(n.email.body.contains("結果は、情報提供者へ電話でお伝えください。"))
        #expect(!n.email.body.contains("市から書面でお送りします"))
    }

    @Test func aReporterWithBothGetsBoth() throws {
        var report = try ConcernSample.reported()
        report.reporter?.fax = "0868-75-0001"
        let n = try Self.deskNotice(report)
        #expect(n.fax.rows.first { $0.label == "結果の連絡方法" }?.value == "書面（メール・FAX）")
        #expect(n.email.body.contains("市から書面でお送りします"))
    }

    @Test func aSubjectNobodyKnowsIsWrittenAsUnknown() throws {
        var report = try ConcernSample.reported()
        report.subject = ConcernEvent.Subject()
        let n = try Self.deskNotice(report)
        #expect(n.fax.rows.first { $0.label == "氏名" }?.value == "不明")
        #expect(n.fax.rows.first { $0.label == "住所" }?.value == "不明")
        #expect(!n.fax.rows.map(\.label).contains("地区"))
        #expect(n.email.body.hasPrefix("美作市総合相談支援センター ご担当者さま"))
    }

    // MARK: drills

    @Test func aDrillSaysSoEverywhere() throws {
        var report = try ConcernSample.reported()
        report.drill = true
        report.urgent = true
        for n in [try Self.deskNotice(report), try Self.resultNotice(report)] {
            #expect(n.drill)
            #expect(n.email.subject.hasPrefix("【訓練】"), "\(n.kind): \(n.email.subject)")
            #expect(n.email.body.hasPrefix("【訓練】これは訓練のための連絡です。"), "\(n.kind)")
            #expect(n.fax.title.hasPrefix("【訓練】"), "\(n.kind)")
            #expect(n.fax.banner == "【訓練】これは訓練です", "\(n.kind)")
            #expect(n.email.body.contains("【訓練】受付番号 MS-C-2026-0007"), "\(n.kind): the signature")
        }
        let desk = try Self.deskNotice(report)
        #expect(desk.email.subject.hasPrefix("【訓練】【至急】"))
        #expect(desk.fax.title == "【訓練】【至急】見守りの情報提供")
    }

    @Test func aRealReportCarriesNoDrillMark() throws {
        for n in [try Self.deskNotice(), try Self.resultNotice()] {
            for (channel, text) in Self.texts(n) { #expect(!text.contains("訓練"), "\(n.kind) \(channel)") }
            #expect(n.fax.banner == nil)
        }
    }

    // MARK: the texts as read (reviewed in Golden/)

    @Test func theSampleNoticesAsTheyRead() throws {
        let desk = try Self.deskNotice()
        try Files.expectGolden("Subject: \(desk.email.subject)\n\n\(desk.email.body)", "concern-report.email.txt")
        try Files.expectGolden(desk.fax.plainText, "concern-report.fax.txt")
        let result = try Self.resultNotice(try ConcernSample.reported(), result: try #require(try ConcernSample.resolved().result))
        try Files.expectGolden("Subject: \(result.email.subject)\n\n\(result.email.body)", "concern-result.email.txt")
        try Files.expectGolden(result.fax.plainText, "concern-result.fax.txt")
        var urgent = try ConcernSample.reported()
        urgent.urgent = true
        urgent.consent = true
        urgent.reporter = Self.phoneOnly
        let both = try Self.deskNotice(urgent)
        try Files.expectGolden("Subject: \(both.email.subject)\n\n\(both.email.body)", "concern-report-urgent.email.txt")
    }

    @Test func noLineIsLeftEmptyOfItsValue() throws {
        for n in [try Self.deskNotice(), try Self.resultNotice()] {
            for (channel, text) in Self.texts(n) {
                #expect(!text.contains("{{") && !text.contains("}}"), "\(n.kind) \(channel)")
                for line in text.split(separator: "\n") {
                    #expect(!line.hasSuffix("：") && !line.hasSuffix("（）"), "\(n.kind) \(channel): \(line)")
                }
            }
            #expect(n.fax.rows.allSatisfy { !$0.value.isEmpty }, "\(n.kind)")
        }
    }
}

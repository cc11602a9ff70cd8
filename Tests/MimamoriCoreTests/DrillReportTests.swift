import Foundation
import Testing

@testable import MimamoriCore

/// The drill report's figures on made-up cases: every figure checked against numbers worked out
/// by hand, at the marks' boundaries.
@Suite struct DrillReportTests {
    static let t0 = Date(timeIntervalSince1970: 1_794_000_000)  // the alert's publication
    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    static let cooperators = [
        Cooperator(
            id: RecipientID("f1"), name: "紀美野町社会福祉協議会", channel: .fax, address: "+81735000001", areas: ["野上"], municipality: "kimino"),
        Cooperator(id: RecipientID("f2"), name: "美里診療所", channel: .fax, address: "+81735000002", areas: ["美里"], municipality: "kimino"),
        Cooperator(
            id: RecipientID("f3"), name: "毛原郵便局", channel: .fax, address: "+81735000003", areas: ["野上", "美里"], municipality: "kimino"),
        Cooperator(id: RecipientID("e1"), name: "山田 花子", channel: .email, address: "a@example.jp", municipality: "kimino"),
        Cooperator(
            id: RecipientID("e2"), name: "佐藤, \"太郎\"", channel: .email, address: "b@example.jp", areas: ["美里"], municipality: "kimino"),
        Cooperator(id: RecipientID("e3"), name: "=鈴木", channel: .email, address: "c@example.jp", areas: ["野上"], municipality: "kimino"),
    ]

    static func alert(
        _ id: String, _ channel: Channel, _ state: DeliveryState, accepted: TimeInterval? = nil,
        transmission: DrillReport.Transmission? = nil, received: TimeInterval? = nil, destroyed: TimeInterval? = nil,
        error: String? = nil
    ) -> DrillReport.Delivery {
        DrillReport.Delivery(
            recipient: RecipientID(id), channel: channel, kind: .alert, state: state, lastErrorCode: error, plannedAt: at(2),
            acceptedAt: accepted.map(at), transmission: transmission, receivedAt: received.map(at), destroyedAt: destroyed.map(at),
            confirmedVia: received == nil && destroyed == nil ? nil : "link")
    }

    /// The case every test reads: published at t0, recorded 2 s later, closed after 2 hours.
    static func report(purged: Bool = false, extra: [DrillReport.Delivery] = []) -> DrillReport {
        let events = [
            DrillReport.Event(sequence: 2, kind: "closed", issuedAt: at(7200), recordedAt: at(7201)),
            DrillReport.Event(sequence: 1, kind: "opened", issuedAt: t0, recordedAt: at(2)),
        ]
        let deliveries = [
            alert("f1", .fax, .delivered, accepted: 10, transmission: .transmitted, received: 1800, destroyed: 7201 + 3600),
            alert("f2", .fax, .delivered, accepted: 40, transmission: .failed),
            alert("f3", .fax, .failed, error: "http-422"),
            alert("e1", .email, .delivered, accepted: 5, received: 3600, destroyed: 7201 + 86_400 + 1),
            alert("e2", .email, .delivered, accepted: 6),
            alert("e3", .email, .expired, error: "deferred"),
            alert("radio", .radio, .delivered, accepted: 900),
            // The termination: e2 confirms destruction on it within the hour of the end.
            DrillReport.Delivery(
                recipient: RecipientID("e2"), channel: .email, kind: .termination, revision: 2, state: .delivered, acceptedAt: at(7210),
                destroyedAt: at(7201 + 60), confirmedVia: "staff"),
        ]
        return DrillReport(
            subject: .init(caseID: CaseID("KIM-2026-1115"), drill: true, openedAt: at(2), closedAt: at(7201), purged: purged),
            events: events, deliveries: deliveries + extra, cooperators: cooperators)
    }

    @Test func theChainsTimings() {
        let report = Self.report()
        #expect(report.publishedAt() == Self.t0)
        #expect(report.recordedAt() == Self.at(2))
        #expect(report.chainStart() == Self.t0)
        #expect(report.acceptanceSpan(on: .fax) == .init(first: Self.at(10), last: Self.at(40)))
        #expect(report.acceptanceSpan(on: .email) == .init(first: Self.at(5), last: Self.at(6)))
        #expect(report.radioBroadcastAt() == Self.at(900))
        #expect(report.closedAt() == Self.at(7201))
    }

    @Test func withoutAPublicationTheChainStartsAtTheLedger() {
        var report = Self.report()
        report.events = [DrillReport.Event(sequence: 1, kind: "opened", issuedAt: nil, recordedAt: Self.at(2))]
        #expect(report.publishedAt() == nil)
        #expect(report.chainStart() == Self.at(2))
        report.events = []
        #expect(report.chainStart() == Self.at(2), "the case's opening")
        #expect(report.closedAt() == Self.at(7201), "the case row's closure")
        report.deliveries = []
        #expect(report.acceptanceSpan(on: .fax) == nil && report.radioBroadcastAt() == nil)
    }

    @Test func reachPerChannel() {
        let report = Self.report()
        var fax = DrillReport.ReachCount()
        (fax.planned, fax.accepted, fax.failed) = (3, 2, 1)
        #expect(report.reach(on: .fax) == fax)
        var email = DrillReport.ReachCount()
        (email.planned, email.accepted, email.expired) = (3, 2, 1)
        #expect(report.reach(on: .email) == email, "the termination is not the alert's reach")
        #expect(report.reach(on: .radio).accepted == 1)
    }

    @Test func everyStateCountsOnce() {
        for state in DeliveryState.allCases {
            var count = DrillReport.ReachCount()
            count.add(state)
            #expect(count.planned == 1)
            #expect(count.accepted + count.failed + count.expired + count.cancelled + count.waiting == 1, "\(state)")
        }
    }

    @Test func reachPerArea() {
        let rows = Self.report().reachByArea()
        #expect(rows.map(\.area) == ["美里", "野上", DrillReport.wholeTown].sorted())
        let byArea = Dictionary(uniqueKeysWithValues: rows.map { ($0.area, $0.count) })
        // 野上: f1 (accepted), f3 (failed, also 美里), e3 (expired). 美里: f2, f3, e2.
        #expect(byArea["野上"]?.planned == 3 && byArea["野上"]?.accepted == 1 && byArea["野上"]?.failed == 1 && byArea["野上"]?.expired == 1)
        #expect(byArea["美里"]?.planned == 3 && byArea["美里"]?.accepted == 2 && byArea["美里"]?.failed == 1)
        #expect(byArea[DrillReport.wholeTown]?.planned == 1, "e1 watches the whole town; the radio is no area")
    }

    @Test func aRecipientNoLongerInTheDirectoryHasItsOwnRow() {
        let report = Self.report(extra: [Self.alert("gone", .fax, .delivered, accepted: 20)])
        #expect(report.reachByArea().contains { $0.area == DrillReport.notInDirectory && $0.count.accepted == 1 })
        #expect(report.name(of: RecipientID("gone")) == nil)
    }

    @Test func faxTransmissions() {
        let report = Self.report(extra: [Self.alert("f9", .fax, .delivered, accepted: 50)])
        var expected = DrillReport.TransmissionCount()
        (expected.transmitted, expected.failed, expected.unknown) = (1, 1, 1)
        #expect(report.faxTransmissions() == expected, "the refused f3 is not among them")
    }

    @Test func whoWasAskedToConfirm() {
        #expect(
            Self.report().reachedRecipients() == Set(["f1", "f2", "e1", "e2"].map { RecipientID($0) }), "not the radio, not the unreached")
    }

    @Test func confirmationsAtTheMarks() {
        let report = Self.report()
        // Receipts from t0: f1 at 30 min, e1 at exactly 1 h (inside the mark).
        #expect(report.confirmations(.received, within: .hour) == 2)
        #expect(report.confirmations(.received, within: .week) == 2)
        #expect(report.confirmationTotal(.received) == 2)
        // Destruction from the closure (7201): e2 at 1 min (on the termination), f1 at 1 h, e1 at 1 day + 1 s.
        #expect(report.confirmationStart(.destroyed) == Self.at(7201))
        #expect(report.confirmations(.destroyed, within: .hour) == 2)
        #expect(report.confirmations(.destroyed, within: .day) == 2)
        #expect(report.confirmations(.destroyed, within: .threeDays) == 3)
        #expect(report.confirmations(.destroyed, within: .week) == 3)
        #expect(report.shareOfReached(3) == 0.75)
        #expect(DrillReport.percent(report.shareOfReached(2)) == "50%")
    }

    @Test func anOpenCaseCountsDestructionFromTheStart() {
        var report = Self.report()
        report.events.removeAll { $0.kind == "closed" }
        report.subject.closedAt = nil
        #expect(report.closedAt() == nil)
        #expect(report.confirmationStart(.destroyed) == Self.t0)
    }

    @Test func nobodyReachedIsNoShare() {
        let report = DrillReport(
            subject: .init(caseID: CaseID("X"), drill: true, openedAt: Self.t0), events: [], deliveries: [], cooperators: [])
        #expect(report.shareOfReached(0) == 0)
        #expect(report.cumulative(.accepted).isEmpty && report.unreached().isEmpty && report.unanswered().isEmpty)
    }

    @Test func cumulativeCurves() {
        let report = Self.report(extra: [Self.alert("e9", .email, .delivered, accepted: 6)])
        #expect(
            report.cumulative(.accepted).map { [$0.at.timeIntervalSince(Self.t0), Double($0.count)] }
                == [[5, 1], [6, 3], [10, 4], [40, 5]], "two at the same instant are one step")
        #expect(report.cumulative(.received).map(\.count) == [1, 2])
        #expect(report.cumulative(.destroyed).map { $0.at } == [Self.at(7261), Self.at(10_801), Self.at(7201 + 86_401)])
        #expect(report.cumulative(.destroyed).last?.count == 3)
    }

    @Test func whoWasNotReached() {
        let waiting = Self.alert("e4", .email, .planned)
        let cancelled = DrillReport.Delivery(recipient: RecipientID("f4"), channel: .fax, kind: .alert, state: .cancelled)
        let report = Self.report(extra: [waiting, cancelled])
        let rows = report.unreached()
        #expect(rows.map(\.recipient.rawValue) == ["e3", "e4", "f3", "f4"])
        #expect(rows.map(\.reason) == ["期限までに送れませんでした（deferred）", "まだ送信中です", "送れませんでした（http-422）", "送る前に捜索が終わりました"])
        #expect(rows[0].name == "=鈴木" && rows[0].channel == .email)
    }

    @Test func whoDidNotAnswer() {
        let rows = Self.report().unanswered()
        // f2 confirmed nothing; e2 destroyed (on the termination) without a receipt.
        #expect(rows.map(\.recipient.rawValue) == ["e2", "f2"])
        #expect(rows[0].receivedAt == nil && rows[0].destroyedAt == Self.at(7261))
        #expect(rows[1].name == "美里診療所" && rows[1].channel == .fax)
    }

    @Test func aPurgedCaseKeepsItsCountsAndDropsItsNames() {
        let report = Self.report(purged: true)
        #expect(report.unreached().count == 2 && report.unreached().allSatisfy { $0.name == nil })
        #expect(report.unanswered().allSatisfy { $0.name == nil })
        #expect(report.reach(on: .fax).planned == 3)
        let csv = String(decoding: report.deliveriesCSV(), as: UTF8.self)
        for cooperator in Self.cooperators { #expect(!csv.contains(cooperator.name.replacingOccurrences(of: "\"", with: "\"\""))) }
    }

    @Test func elapsedAsTheMeetingReadsIt() {
        #expect(DrillReport.elapsed(-3) == "0秒")
        #expect(DrillReport.elapsed(59.9) == "59秒")
        #expect(DrillReport.elapsed(60) == "1分0秒")
        #expect(DrillReport.elapsed(192) == "3分12秒")
        #expect(DrillReport.elapsed(3600) == "1時間0分")
        #expect(DrillReport.elapsed(7500) == "2時間5分")
        #expect(DrillReport.elapsed(86_400 * 3 + 3600 * 4 + 59) == "3日4時間")
    }

    // MARK: CSV

    @Test func theDeliveriesCSVReadsBack() throws {
        let bytes = Self.report().deliveriesCSV()
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "a BOM, for Excel")
        let text = try #require(String(validating: bytes.dropFirst(3), as: UTF8.self))
        #expect(text.hasSuffix("\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends CRLF, no bare LF")
        let records = CSVRecords.parse(text).filter { $0.fields != [""] }
        #expect(records.allSatisfy { $0.problem == nil })
        #expect(records[0].fields == DrillReport.deliveryColumns)
        #expect(records.count == 1 + 8)
        #expect(records.allSatisfy { $0.fields.count == DrillReport.deliveryColumns.count })
        let byID = Dictionary(grouping: records.dropFirst(), by: { $0.fields[0] })
        #expect(byID["e2"]?.first?.fields[1] == "佐藤, \"太郎\"", "a comma and quotes survive the round trip")
        #expect(byID["e3"]?.first?.fields[1] == "'=鈴木", "a formula is defused")
        #expect(byID["f3"]?.first?.fields[2] == "野上、美里")
        #expect(byID["e1"]?.first?.fields[2] == DrillReport.wholeTown)
        let f1 = try #require(byID["f1"]?.first?.fields)
        #expect(f1[3] == "FAX" && f1[4] == "捜索依頼" && f1[6] == "受付済み" && f1[9] == "送信完了")
        #expect(f1[8] == DrillReport.csvTime(Self.at(10)) && f1[10] == DrillReport.csvTime(Self.at(1800)) && f1[12] == "リンク・QRコード")
        let termination = try #require(byID["e2"]?.first { $0.fields[4] == "捜索終了" }?.fields)
        #expect(termination[12] == "電話・FAXで職員が記録" && termination[9] == "", "no FAX result for an email")
        #expect(byID["f2"]?.first?.fields[9] == "送信失敗")
        #expect(byID["radio"]?.first?.fields[1] == "防災行政無線")
    }

    @Test func csvTimeIsTheTownsClock() {
        // 2026-11-15 00:00:00 UTC is 09:00 in Japan.
        #expect(DrillReport.csvTime(Date(timeIntervalSince1970: 1_794_700_800)) == "2026-11-15 09:00:00")
        #expect(DrillReport.csvTime(Date(timeIntervalSince1970: 1_794_700_800 + 15 * 3600 + 59.9)) == "2026-11-16 00:00:59")
        #expect(DrillReport.csvTime(nil) == "")
    }

    @Test func csvFields() {
        #expect(DrillReport.csvField("野上") == "野上")
        #expect(DrillReport.csvField("a,b") == "\"a,b\"")
        #expect(DrillReport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(DrillReport.csvField("two\r\nlines") == "\"two\r\nlines\"")
        #expect(DrillReport.csvField("+81") == "'+81")
        #expect(DrillReport.csvField("@x,y") == "\"'@x,y\"")
    }

    @Test func theSummaryCSVHoldsTheFigures() throws {
        let report = Self.report()
        let bytes = report.summaryCSV()
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = try #require(String(validating: bytes.dropFirst(3), as: UTF8.self))
        let rows = CSVRecords.parse(text).filter { $0.fields != [""] }.map(\.fields)
        #expect(rows[0] == ["項目", "値", "割合・発信から"])
        let byLabel = Dictionary(rows.map { ($0[0], Array($0.dropFirst())) }, uniquingKeysWith: { a, _ in a })
        #expect(byLabel["事案番号"] == ["KIM-2026-1115", ""])
        #expect(byLabel["訓練"]?.first == "はい")
        #expect(byLabel["FAX 最初の受付"] == [DrillReport.csvTime(Self.at(10)), "10秒後"])
        #expect(byLabel["防災行政無線 放送"] == [DrillReport.csvTime(Self.at(900)), "15分0秒後"])
        #expect(byLabel["FAX 届いた"] == ["2", "67%"])
        #expect(byLabel["メール 届かなかった"] == ["1", "33%"])
        #expect(byLabel["FAX 送信結果不明"]?.first == "0")
        #expect(byLabel["確認をお願いした宛先"]?.first == "4")
        #expect(byLabel["処分しました 3日以内"] == ["3", "75%"])
        #expect(byLabel["受け取りました 合計"] == ["2", "50%"])
        #expect(byLabel["届かなかった宛先"]?.first == "2" && byLabel["返事のない宛先"]?.first == "2")
        #expect(byLabel["地区 野上 予定/届いた/届かなかった"]?.first == "3/1/2")
    }
}

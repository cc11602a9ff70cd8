import Foundation
import MimamoriCore
import Testing

/// `ConcernReportFile`: what staff write after a phone call, made into the wire message, or the
/// problem told in Japanese with the field's path.
@Suite("concern report file: staff's YAML or JSON to mimamori.concern/1")
struct ConcernReportFileTests {
    static let now = Timestamp.parse("2026-12-02T10:20:00+09:00")!
    static let messageID = UUID(uuidString: "3b0f7a52-6d1e-4c8a-b2a4-9f1d2e7c5a10")!

    static let yaml = """
        subject:
          name: 美作 一郎
          address: 勝田のJA支所付近
          area: 勝田
        observation: |
          毎朝同じ服装で来店している。
        urgent: あり
        consent: いいえ
        reporter:
          organization: ほっとマート勝田店
          phone: 0868750000
          fax: 0868-75-0001
          email: ~
        """

    func prepare(_ text: String, municipality: String = "mimasaka") throws(ConcernReportFile.Problem) -> ConcernReportFile.Prepared {
        try ConcernReportFile.prepare(text, municipality: municipality, now: Self.now, messageID: Self.messageID) {
            CaseID("MIMASAKA-C-20261202-TEST")
        }
    }

    @Test("the wire fields are filled in; the phone keeps its leading zero; はい/いいえ/あり/なし are flags; a block scalar's line break goes")
    func fillsTheWireFields() throws {
        let prepared = try prepare(Self.yaml)
        let event = prepared.event
        #expect(prepared.madeReportID && event.reportID == CaseID("MIMASAKA-C-20261202-TEST"))
        #expect(event.messageID == Self.messageID && event.sequence == 1 && event.kind == .reported)
        #expect(event.issuedAt == Self.now && event.municipality == "mimasaka" && !event.drill)
        #expect(event.urgent && !event.consent)
        #expect(event.observation == "毎朝同じ服装で来店している。")
        #expect(event.reporter == ConcernEvent.Reporter(organization: "ほっとマート勝田店", phone: "0868750000", fax: "0868-75-0001"))
        // The bytes are what is signed: they decode to the same event.
        #expect(try ConcernEvent.decode(prepared.body) == event)
    }

    @Test("the JSON sample keeps every wire field it has")
    func sampleKeepsItsFields() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/samples/concern-reported.json")
        let data = try Data(contentsOf: url)
        let prepared = try prepare(String(decoding: data, as: UTF8.self))
        #expect(!prepared.madeReportID)
        #expect(prepared.event == (try ConcernEvent.decode(Array(data))))
    }

    @Test("each mistake names its field in Japanese and never repeats the value")
    func problems() {
        let cases: [(String, String, String)] = [
            (Self.yaml.replacingOccurrences(of: "phone: 0868750000", with: "phone: 0868-75-ABCD"), "reporter.phone", "電話番号"),
            (Self.yaml.replacingOccurrences(of: "  fax:", with: "  facs:"), "reporter.facs", "この項目名は使えません"),
            (Self.yaml.replacingOccurrences(of: "urgent: あり\n", with: ""), "urgent", "必ず書いてください"),
            (Self.yaml.replacingOccurrences(of: "consent: いいえ", with: "consent: 不明"), "consent", "はい"),
            (Self.yaml + "\nkind: resolved\n", "kind", "mimamori concern resolve"),
            (Self.yaml + "\nmunicipality: kimino\n", "municipality", "mimasaka"),
            (Self.yaml + "\nreportId: MS/7\n", "reportId", "半角"),
            (Self.yaml + "\nissuedAt: 2026-12-02 10:20\n", "issuedAt", "2026-12-02T10:20:00+09:00"),
            (Self.yaml.replacingOccurrences(of: "  area: 勝田", with: "  area: [勝田, 大原]"), "subject.area", "一覧"),
            ("- 美作 一郎\n", "", "「項目名: 値」"),
            ("{ \"subject\": ", "", "JSON として読めません"),
        ]
        for (text, path, words) in cases {
            do {
                _ = try prepare(text)
                Issue.record("accepted: \(path)")
            } catch {
                #expect(error.path == path, "\(error)")
                #expect(error.description.contains(words), "\(error)")
                #expect(!error.description.contains("ABCD") && !error.description.contains("不明"), "\(error)")
            }
        }
    }

    @Test("the resolved event: the result trimmed, the drill flag kept; an empty result refused")
    func resolved() throws {
        let event = try ConcernReportFile.resolved(
            reportID: CaseID("T-1"), sequence: 2, municipality: "mimasaka", drill: true, result: " 訪問しました。\n", now: Self.now,
            messageID: Self.messageID
        ).event
        #expect(event.kind == .resolved && event.sequence == 2 && event.drill && event.result == "訪問しました。")
        #expect(throws: ConcernReportFile.Problem.self) {
            try ConcernReportFile.resolved(
                reportID: CaseID("T-1"), sequence: 2, municipality: "mimasaka", drill: false, result: " ", now: Self.now,
                messageID: Self.messageID)
        }
    }

    @Test("a new report id is readable and a valid report id: the town, C, the Japanese date, 4 unambiguous characters")
    func reportIDs() {
        var random = SystemRandomNumberGenerator()
        // 23:30 UTC is already the next day in Japan.
        let late = Timestamp.parse("2026-12-01T23:30:00Z")!
        for _ in 0..<200 {
            let id = ConcernReportFile.newReportID(municipality: "mimasaka_2", at: late, using: &random).rawValue
            #expect(id.hasPrefix("MIMASAKA-2-C-20261202-") && id.count == "MIMASAKA-2-C-20261202-".count + 4, "\(id)")
            #expect(CaseID.isValid(id))
            #expect(!id.suffix(4).contains { "01OI".contains($0) }, "\(id)")
        }
    }
}

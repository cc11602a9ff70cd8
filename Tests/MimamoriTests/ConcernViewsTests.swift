import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import TestFixtures
import Testing

/// The staff's views of concern reports, through the real `mimamori` binary and the sample
/// Mimasaka settings: `route` at the boundaries of the table, `render` of the desk's notice and
/// of the result for the reporter, and `status`, `report`, `concern callbacks` and `concern
/// called-back` against a ledger the daemon's own intake filled.
@Suite("mimamori route, render, status, report and concern callbacks for concern reports (real CLI)", .serialized)
struct ConcernViewsTests {
    static let root = ServerProcess.repositoryRoot
    static let settings = root.appendingPathComponent("config/samples/mimasaka.yaml").path
    static let reported = root.appendingPathComponent("config/samples/concern-reported.json")
    static let resolved = root.appendingPathComponent("config/samples/concern-resolved.json")

    static func mimamori(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(try DaemonProcess.binary("mimamori"), arguments + ["--config", settings])
    }

    /// The tool's stdout; fails the test with its stderr when it exits non-zero.
    static func run(_ arguments: [String]) throws -> String {
        let run = try mimamori(arguments)
        #expect(run.status == 0, "mimamori \(arguments.joined(separator: " ")) exited \(run.status): \(run.stderr)")
        return run.stdout
    }

    // MARK: route

    @Test("route: Friday 17:59 reaches the Shoda station on both its addresses; 18:00 the duty desk, as after hours")
    func weekdayClosingBoundary() throws {
        let before = try Self.run(["route", Self.reported.path, "--at", "2026-12-04 17:59"])
        #expect(before.contains("規則: weekday.station — 平日 8:00〜18:00、勝田 の地域ステーション"), "\(before)")
        #expect(before.contains("shoda  勝田地域ステーション（電話 0868-75-3601）"), "\(before)")
        #expect(before.contains("fax    0868-75-3602") && before.contains("email  shoda@shakyo.mimasaka.example.jp"), "\(before)")
        #expect(before.contains("2026年12月4日（金） 17:59") && before.contains("MS-C-2026-0007"), "\(before)")
        #expect(!before.contains("【至急】") && !before.contains("nicchoku@"), "\(before)")

        let after = try Self.run(["route", Self.reported.path, "--at", "2026-12-04T18:00:00+09:00"])
        #expect(after.contains("規則: after-hours.evening — 平日の時間外（8:00 より前・18:00 以降）"), "\(after)")
        #expect(after.contains("duty  美作市役所（日直）") && after.contains("nicchoku@city.mimasaka.example.jp"), "\(after)")
        #expect(after.contains("0868-72-1112") && !after.contains("shoda"), "\(after)")

        let opening = try Self.run(["route", Self.reported.path, "--at", "2026-12-04 07:59"])
        #expect(opening.contains("after-hours.evening"), "\(opening)")
        #expect(try Self.run(["route", Self.reported.path, "--at", "2026-12-04 08:00"]).contains("weekday.station"))
    }

    @Test("route: a public holiday, a 振替休日, a Saturday and the year-end break go to the duty desk, each saying why")
    func closedDays() throws {
        let cases = [
            ("2026-11-23 10:00", "after-hours.holiday — 祝日（勤労感謝の日）"),
            ("2026-05-06 10:00", "after-hours.holiday — 振替休日"),
            ("2026-09-22 10:00", "after-hours.holiday — 国民の休日"),
            ("2026-12-05 10:00", "after-hours.weekend — 土曜日"),
            ("2026-12-29 00:00", "after-hours.year-end — 年末年始（12/29〜1/3）"),
        ]
        for (at, rule) in cases {
            let out = try Self.run(["route", Self.reported.path, "--at", at])
            #expect(out.contains("規則: \(rule)") && out.contains("duty  美作市役所（日直）"), "\(at): \(out)")
        }
        let lastWorkday = try Self.run(["route", Self.reported.path, "--at", "2026-12-28 23:59"])
        #expect(lastWorkday.contains("after-hours.evening"), "\(lastWorkday)")
    }

    @Test(
        "route: urgent in hours is 【至急】 to the station and the centre; a YAML report routes as its JSON does; an area without a station goes to the centre"
    )
    func urgentYAMLAndCentre() throws {
        let folder = try ServerProcess.temporaryDirectory("route")
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = folder.appendingPathComponent("report.yaml")
        try Data(
            """
            schema: mimamori.concern/1
            messageId: 3b0f7a52-6d1e-4c8a-b2a4-9f1d2e7c5a10
            reportId: MS-C-2026-0009
            sequence: 1
            kind: reported
            issuedAt: 2026-12-02T10:20:00+09:00
            municipality: mimasaka
            subject: { name: 美作 一郎, address: 梶並の集会所付近, area: 梶並 }
            observation: 何日も同じ場所に座っている。
            urgent: true
            consent: false
            reporter: { organization: 梶並商店（架空）, phone: 0868-75-0001 }
            """.utf8
        ).write(to: yaml)
        let urgent = try Self.run(["route", yaml.path, "--at", "2026-12-02 12:00"])
        #expect(urgent.hasPrefix("【至急】"), "\(urgent)")
        #expect(urgent.contains("地域: 梶並　緊急対応: あり") && urgent.contains("MS-C-2026-0009"), "\(urgent)")
        #expect(urgent.contains("平日 8:00〜18:00、梶並 の地域ステーション（至急のため 美作市総合相談支援センター にも）"), "\(urgent)")
        #expect(urgent.contains("shoda  勝田地域ステーション") && urgent.contains("centre  美作市総合相談支援センター"), "\(urgent)")
        #expect(urgent.contains("sodan@city.mimasaka.example.jp") && urgent.contains("0868-73-0331"), "\(urgent)")

        let sameAsJSON = try Self.run(["route", yaml.path, "--at", "2026-12-04 17:59", "--area", "勝田"])
        let json = try Self.run(["route", Self.reported.path, "--at", "2026-12-04 17:59", "--urgent"])
        #expect(
            sameAsJSON.replacingOccurrences(of: "MS-C-2026-0009", with: "ID") == json.replacingOccurrences(of: "MS-C-2026-0007", with: "ID")
        )

        let noStation = try Self.run(["route", Self.reported.path, "--at", "2026-12-02 12:00", "--area", "湯郷町外れ"])
        #expect(noStation.contains("weekday.centre — 平日 8:00〜18:00、地域「湯郷町外れ」が設定の areas: にないため 美作市総合相談支援センター"), "\(noStation)")
        #expect(!noStation.contains("shoda"), "\(noStation)")
    }

    @Test("route --week: the table of the week of 勤労感謝の日, a row a day at 7:59, 8:00, 12:00, 17:59 and 18:00, ready to paste")
    func weekTable() throws {
        let table = try Self.run(["route", Self.reported.path, "--week", "--at", "2026-11-25 12:00"])
        print("concern-views | route --week |\n\(table)")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.first == "情報提供の届け先表　2026年11月23日（月）〜2026年11月29日（日）", "\(table)")
        #expect(lines.contains("| 日付 | 区分 | 7:59 | 8:00 | 12:00 | 17:59 | 18:00 |"), "\(table)")
        #expect(lines.contains("| 11/23（月） | 祝日（勤労感謝の日） | duty | duty | duty | duty | duty |"), "\(table)")
        #expect(lines.contains("| 11/24（火） | 平日 | duty | shoda | shoda | shoda | duty |"), "\(table)")
        #expect(lines.contains("| 11/28（土） | 土曜日 | duty | duty | duty | duty | duty |"), "\(table)")
        #expect(lines.filter { $0.hasPrefix("| 11/") }.count == 7, "\(table)")
        #expect(lines.last == "届け先: duty = 美作市役所（日直）、shoda = 勝田地域ステーション", "\(table)")

        let yearEnd = try Self.run(["route", "--area", "英田", "--urgent", "--table", "2026-12-28", "--days", "8"])
        #expect(yearEnd.contains("| 12/28（月） | 平日 | duty | aida + centre | aida + centre | aida + centre | duty |"), "\(yearEnd)")
        #expect(yearEnd.contains("| 1/3（日） | 年末年始（12/29〜1/3） | duty |"), "\(yearEnd)")
        #expect(yearEnd.contains("| 1/4（月） | 平日 | duty | aida + centre |"), "\(yearEnd)")
    }

    // MARK: render

    @Test(
        "render: a reported report gives the desk's email and an A4 FAX with the seed's items; the result for the reporter carries neither their phone nor the observation"
    )
    func renderDeskNoticeAndResult() throws {
        let folder = try ServerProcess.temporaryDirectory("render-concern")
        defer { try? FileManager.default.removeItem(at: folder) }
        let desk = folder.appendingPathComponent("desk")
        let written = try Self.run(["render", Self.reported.path, "--out", desk.path, "--now", "2026-12-02T10:21:00+09:00"])
        for name in ["concern-report.eml", "concern-report.fax.pdf", "concern-report.fax-1.png", "concern-report.json"] {
            #expect(FileManager.default.fileExists(atPath: desk.appendingPathComponent(name).path), "\(name) missing: \(written)")
        }
        #expect(!written.contains(".cap.xml"), "a concern is never broadcast: \(written)")
        let deskText = try Self.pdfText(desk.appendingPathComponent("concern-report.fax.pdf"))
        for item in ["氏名", "住所", "情報提供内容", "緊急対応の有無", "情報提供同意有無", "協力団体名", "情報提供者氏名", "電話番号"] {
            #expect(deskText.contains(item), "the desk's FAX lacks \(item): \(deskText)")
        }
        for value in ["美作一郎", "作東花子", "0868-75-0000", "ほっとマート勝田店", "支払いの仕方"] {
            #expect(deskText.contains(value), "the desk's FAX lacks \(value): \(deskText)")
        }
        let deskMail = try Self.mailText(desk.appendingPathComponent("concern-report.eml"))
        #expect(deskMail.contains("0868-75-0000") && deskMail.contains("作東 花子"), "\(deskMail)")

        let missing = try Self.mimamori(["render", Self.resolved.path, "--out", folder.appendingPathComponent("x").path])
        #expect(missing.status != 0 && missing.stderr.contains("--report"), "\(missing)")

        let result = folder.appendingPathComponent("result")
        _ = try Self.run([
            "render", Self.resolved.path, "--report", Self.reported.path, "--out", result.path, "--now", "2026-12-03T15:00:00+09:00",
        ])
        let resultPDF = try Self.pdfText(result.appendingPathComponent("concern-result.fax.pdf"))
        let resultMail = try Self.mailText(result.appendingPathComponent("concern-result.eml"))
        for text in [resultPDF, resultMail.replacingOccurrences(of: " ", with: "")] {
            #expect(text.contains("MS-C-2026-0007") && text.contains("ご本人とお話ししました"), "\(text)")
            for secret in ["0868-75-0000", "作東花子", "支払いの仕方", "ベンチ", "JA支所"] {
                #expect(!text.contains(secret), "the result notice carries \(secret): \(text)")
            }
        }
        print("concern-views | render | desk FAX \(deskText.count) chars, result FAX \(resultPDF.count) chars")
    }

    @Test("render: the desk notice is the notice the daemon's intake stores for the same report at the same instant")
    func renderIsTheStoredNotice() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let now = try #require(Timestamp.parse("2026-12-02T10:21:00+09:00"))
        try await Self.intake(try Data(contentsOf: Self.reported), file: file, at: now)
        let stored = try #require(
            try runTool(
                "/usr/bin/sqlite3",
                [
                    "-readonly", file.path,
                    "SELECT hex(content) FROM notices WHERE case_id = 'MS-C-2026-0007' AND kind = 'concern-report' LIMIT 1",
                ]
            ).split(separator: "\n").first)
        let storedNotice = try JSONDecoder().decode(RenderedNotice.self, from: try #require(Data(hex: String(stored))))
        let out = try ServerProcess.temporaryDirectory("render-stored")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try Self.run(["render", Self.reported.path, "--out", out.path, "--now", "2026-12-02T10:21:00+09:00"])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let rendered = try decoder.decode(
            RenderedNotice.self, from: try Data(contentsOf: out.appendingPathComponent("concern-report.json")))
        #expect(rendered == storedNotice, "render's notice differs from the one the intake stored")
    }

    // MARK: status, report, callbacks

    @Test("status, report, concern callbacks and concern called-back, on a ledger filled by the daemon's intake")
    func ledgerViews() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let day1 = try #require(Timestamp.parse("2026-12-02T10:21:00+09:00"))
        let day2 = try #require(Timestamp.parse("2026-12-03T15:00:00+09:00"))
        let missing = DaemonCase(municipality: "mimasaka", caseID: "KN-2026-0100")
        try await Self.intake(Data(try DaemonCase.json(missing.event("opened", sequence: 1))), file: file, at: day1, concern: false)
        // A reporter with an email address, and one who gave only a phone number.
        try await Self.intake(try Data(contentsOf: Self.reported), file: file, at: day1)
        try await Self.intake(try Data(contentsOf: Self.resolved), file: file, at: day2)
        try await Self.intake(Self.phoneOnly("reported"), file: file, at: day1)
        try await Self.intake(Self.phoneOnly("resolved"), file: file, at: day2)

        let status = try Self.run(["status", "--ledger", file.path])
        print("concern-views | status |\n\(status)")
        let lines = status.split(separator: "\n").map(String.init)
        let heading = try #require(lines.firstIndex(of: "情報提供 2 件（mimamori.concern/1）"), "\(status)")
        let caseLine = try #require(lines.firstIndex { $0.hasPrefix("KN-2026-0100  state=") }, "\(status)")
        #expect(caseLine < heading, "cases come first, apart: \(status)")
        let withEmail = try #require(lines.firstIndex { $0.hasPrefix("MS-C-2026-0007  phase=resolved（結果記録済み） seq=2") }, "\(status)")
        let byPhone = try #require(lines.firstIndex { $0.hasPrefix("MS-C-2026-0008  phase=resolved") }, "\(status)")
        #expect(withEmail > heading && byPhone > heading)
        #expect(lines[byPhone].hasSuffix("callback=shoda:owed（電話未）"), "\(lines[byPhone])")
        #expect(!lines[withEmail].contains("callback="), "\(lines[withEmail])")
        #expect(lines[(withEmail + 1)...].prefix(2).contains { $0.contains("email") && $0.contains("planned=2") }, "\(status)")
        #expect(!status.contains("0868-75-0000") && !status.contains("作東"), "status carries personal data: \(status)")

        let report = try Self.run(["report", "MS-C-2026-0007", "--ledger", file.path])
        #expect(report.contains("shoda\t勝田地域ステーション\tfax\tconcern-report\t1\tplanned"), "\(report)")
        #expect(report.contains("shoda\t勝田地域ステーション\temail\tconcern-report\t1\tplanned"), "\(report)")
        #expect(report.contains("reporter\t報告者\temail\tconcern-result\t2\tplanned"), "\(report)")
        #expect(report.contains("結果の連絡: 報告者へ書面"), "\(report)")
        #expect(!report.contains("tenpo@") && !report.contains("0868-75-0000"), "\(report)")

        let owed = try Self.run(["report", "MS-C-2026-0008", "--ledger", file.path])
        #expect(!owed.contains("reporter\t"), "a phone-only reporter gets no message: \(owed)")
        #expect(owed.contains("結果の連絡: 電話（報告者は電話番号のみ）　担当 shoda（勝田地域ステーション）"), "\(owed)")
        #expect(owed.contains("結果の記録 2026-12-03T15:00:00+09:00") && owed.contains("まだ電話していません"), "\(owed)")

        let list = try Self.run(["concern", "callbacks", "--ledger", file.path])
        print("concern-views | callbacks |\n\(list)")
        #expect(list.contains("コールバック一覧　まだ電話していないもの 1 件"), "\(list)")
        #expect(list.contains("MS-C-2026-0008  担当 shoda（勝田地域ステーション）　結果の記録 2026年12月3日（木）15時00分"), "\(list)")
        #expect(list.contains("協力団体: 梶並商店（架空）") && list.contains("報告者: （名乗りなし）　電話 0868-75-0001"), "\(list)")
        #expect(list.contains("伝える結果: 訪問し、ご家族と相談を始めました。"), "\(list)")
        #expect(!list.contains("MS-C-2026-0007"), "\(list)")
        #expect(try Self.run(["concern", "callbacks", "--desk", "centre", "--ledger", file.path]).contains("まだ電話していないコールバックはありません"))
        #expect(try Self.mimamori(["concern", "callbacks", "--desk", "nowhere", "--ledger", file.path]).status != 0)

        let made = try Self.run(["concern", "called-back", "MS-C-2026-0008", "--at", "2026-12-03 16:10", "--ledger", file.path])
        #expect(made.contains("MS-C-2026-0008 の報告者への電話を記録しました（2026年12月3日（木）16時10分）"), "\(made)")
        let again = try Self.mimamori(["concern", "called-back", "MS-C-2026-0008", "--ledger", file.path])
        #expect(again.status == 1 && again.stderr.contains("電話済み"), "\(again)")
        let notOwed = try Self.mimamori(["concern", "called-back", "MS-C-2026-0007", "--ledger", file.path])
        #expect(notOwed.status == 1 && notOwed.stderr.contains("コールバックがありません"), "\(notOwed)")

        #expect(try Self.run(["concern", "callbacks", "--ledger", file.path]).contains("まだ電話していないコールバックはありません"))
        let all = try Self.run(["concern", "callbacks", "--all", "--ledger", file.path])
        #expect(all.contains("電話済み: 2026年12月3日（木）16時10分") && all.contains("0868-75-0001"), "\(all)")
        let done = try Self.run(["report", "MS-C-2026-0008", "--ledger", file.path])
        #expect(done.contains("電話済み 2026-12-03T16:10:00+09:00"), "\(done)")
        let audit = try runTool(
            "/usr/bin/sqlite3", ["-readonly", file.path, "SELECT event, detail FROM audit WHERE event = 'concern.called-back'"])
        #expect(audit == "concern.called-back|\n", "\(audit)")
    }

    // MARK: fixtures

    /// The sample report (or its resolution) of a reporter who gave only a phone number.
    static func phoneOnly(_ kind: String) throws -> Data {
        var object = try #require(
            try JSONSerialization.jsonObject(with: try Data(contentsOf: kind == "reported" ? reported : resolved)) as? [String: Any])
        object["reportId"] = "MS-C-2026-0008"
        object["messageId"] = UUID().uuidString.lowercased()
        if kind == "reported" {
            object["reporter"] = ["organization": "梶並商店（架空）", "phone": "0868-75-0001"]
        } else {
            object["result"] = "訪問し、ご家族と相談を始めました。"
        }
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// One event through `CaseIntake.process`, as the daemon's intake takes it off the queue.
    static func intake(_ body: Data, file: LedgerFile, at now: Date, concern: Bool = true) async throws {
        var configuration = try Configuration.parse(yaml: try String(contentsOfFile: settings, encoding: .utf8))
        configuration.publishers.requireSignature = false
        let intakeSettings = CaseIntake.Settings(
            configuration: configuration, planner: Planner(configuration: configuration, directory: CooperatorDirectory()),
            publisherKeys: PublisherKeys())
        let decision = try await CaseIntake(ledger: file.ledger).process(
            body: Array(body), headers: [:], transportMessageID: nil, settings: intakeSettings, now: now)
        switch decision {
        case .concernRecorded: #expect(concern, "\(decision)")
        case .recorded: #expect(!concern, "\(decision)")
        default: Issue.record("not recorded: \(decision)")
        }
    }

    /// The text of a PDF by poppler's pdftotext, without the spaces and line breaks of its layout.
    static func pdfText(_ pdf: URL) throws -> String {
        let text = try runTool("/usr/bin/pdftotext", ["-enc", "UTF-8", pdf.path, "-"])
        return text.filter { !$0.isWhitespace }
    }

    /// The decoded text parts of a message, by Python's email package.
    static func mailText(_ eml: URL) throws -> String {
        try runTool(
            "/usr/bin/python3",
            [
                "-c",
                "import email,sys\nfrom email import policy\nm=email.message_from_bytes(open(sys.argv[1],'rb').read(),policy=policy.default)\n"
                    + "print(m['Subject']);[print(p.get_content()) for p in m.walk() if p.get_content_maintype()=='text']",
                eml.path,
            ])
    }
}

extension Data {
    /// sqlite3's hex() of a blob.
    init?(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}

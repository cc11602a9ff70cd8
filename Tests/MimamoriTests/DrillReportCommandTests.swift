import Foundation
import GRDB
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Outlets
import TestFixtures
import Testing

/// `mimamori drill-report CASE --out DIR` as staff run it: the real binary on the Kimino sample
/// settings and directory, over a drill recorded through the ledger's own API (the alert and the
/// closure, the outlets' outcomes, the cooperators' confirmations). The PDF is read back with
/// poppler, the CSV files parsed; then the case is purged and the report made again.
@Suite("mimamori drill-report (real CLI, Kimino sample settings)", .serialized)
struct DrillReportCommandTests {
    static let root = ServerProcess.repositoryRoot
    /// The drill's publication: two days ago, at a whole second.
    static let t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 2 * 86_400).rounded(.down))
    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
    static let caseID = CaseID("KIM-DRILL-2026")

    struct Folder {
        let directory: URL
        var settings: String { directory.appendingPathComponent("mimamori.yaml").path }
        var ledger: String { directory.appendingPathComponent("ledger.sqlite").path }
        var out: URL { directory.appendingPathComponent("報告") }

        init() throws {
            directory = try ServerProcess.temporaryDirectory("drill-report")
            let keys = directory.appendingPathComponent("publishers")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            let sample = try String(contentsOf: root.appendingPathComponent("config/mimamori.yaml"), encoding: .utf8)
            var lines: [Substring] = []
            var skipping = false
            for line in sample.split(separator: "\n", omittingEmptySubsequences: false) {
                // The registry and the shelter sections name files of their own; the report needs neither.
                if line.hasPrefix("registry:") || line.hasPrefix("shelter:") || line.hasPrefix("templates:") {
                    skipping = true
                    continue
                }
                if skipping, line.hasPrefix(" ") || line.isEmpty { continue }
                skipping = false
                lines.append(line)
            }
            let yaml = lines.joined(separator: "\n")
                .replacingOccurrences(of: "/var/lib/mimamori/ledger.sqlite", with: ledger)
                .replacingOccurrences(of: "/etc/mimamori/cooperators.csv", with: root.appendingPathComponent("config/cooperators.csv").path)
                .replacingOccurrences(of: "/etc/mimamori/publishers", with: keys.path)
            try yaml.write(toFile: settings, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try runProcess(try DaemonProcess.binary("mimamori"), ["drill-report"] + arguments + ["--config", settings])
        }
    }

    /// Who the drill reached and how they answered, in the sample directory's ids.
    static let faxIDs = (1...6).map { RecipientID("fax-00\($0)") }
    static let emailIDs = (1...10).map { RecipientID(String(format: "vol-%03d", $0)) }

    /// The drill as the daemon would have recorded it: the alert to 6 FAX, 10 email and the radio;
    /// fax-006 refused (http-422), vol-010 expired; the others accepted within a minute; the
    /// radio 10 minutes on; receipts within the hour and later; the closure at 2 h with its
    /// termination, and destructions after it (one told to staff by phone).
    static func fill(_ path: String) async throws {
        let ledger = try Ledger(path: path)
        let signer = try ConfirmationSigner(credential: ConfirmationSigner.newCredential())
        func intake(sequence: Int, kind: String, notice: NoticeKind, at: Date, closed: Bool, recipients: [(RecipientID, Channel)]) -> Intake
        {
            var notices: [Intake.Notice] = []
            var deliveries: [Intake.Delivery] = []
            for channel in Set(recipients.map(\.1)) {
                notices.append(.init(revision: sequence, kind: notice, channel: channel, content: Data("\(channel)".utf8)))
            }
            for (recipient, channel) in recipients {
                let planned = PlannedDelivery(
                    caseID: caseID, revision: sequence, recipient: recipient, channel: channel, kind: notice, notBefore: at)
                deliveries.append(
                    .init(
                        planned, address: "\(recipient.rawValue)@example.jp", deadline: at.addingTimeInterval(6 * 3600),
                        confirmation: signer.code(for: planned)))
            }
            var intake = Intake(
                messageID: UUID().uuidString, caseID: caseID, municipality: "kimino", drill: true, sequence: sequence, eventKind: kind,
                receivedAt: at.addingTimeInterval(2), body: Data("{}".utf8),
                state: CaseSnapshot(name: kind, data: Data("{}".utf8), closedAt: closed ? at.addingTimeInterval(2) : nil), notices: notices,
                deliveries: deliveries)
            intake.issuedAt = at
            return intake
        }
        let alertRecipients = faxIDs.map { ($0, Channel.fax) } + emailIDs.map { ($0, Channel.email) } + [(RecipientID.radio, Channel.radio)]
        _ = try await ledger.recordIntake(
            intake(sequence: 1, kind: "opened", notice: .alert, at: t0, closed: false, recipients: alertRecipients))
        for channel in Channel.allCases {
            for (index, job) in try await ledger.claimDue(now: Date(), channel: channel, limit: 100).enumerated() {
                let outcome: DeliveryOutcome =
                    switch job.recipient.rawValue {
                    case "fax-006": .failed(.init(code: "http-422", summary: "refused"), at: at(30))
                    case "vol-010": .expired(.init(code: "deferred", summary: "greylisted"), at: at(6 * 3600))
                    case "radio": .delivered(at: at(600))
                    default: .delivered(at: at(channel == .fax ? 20 + 5 * Double(index) : 4 + Double(index)))
                    }
                try await ledger.record(outcome, for: job.id)
            }
        }
        let reached = faxIDs.dropLast().map { ($0, Channel.fax) } + emailIDs.dropLast().map { ($0, Channel.email) }
        _ = try await ledger.recordIntake(
            intake(sequence: 2, kind: "closed", notice: .termination, at: at(7200), closed: true, recipients: reached))
        for job in try await ledger.claimDue(now: Date(), channel: .email, limit: 100)
            + (try await ledger.claimDue(now: Date(), channel: .fax, limit: 100))
        {
            try await ledger.record(.delivered(at: at(7230)), for: job.id)
        }
        // The FAX provider's reports (written as the webhook's part of the ledger would).
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            for (id, result) in [("fax-001", "transmitted"), ("fax-002", "transmitted"), ("fax-003", "transmitted"), ("fax-004", "failed")]
            {
                try db.execute(
                    sql:
                        "UPDATE deliveries SET transmission = ?, transmitted_at = ? WHERE case_id = ? AND recipient_id = ? AND kind = 'alert'",
                    arguments: [result, Int64(at(120).timeIntervalSince1970 * 1000), caseID.rawValue, id])
            }
        }
        func code(_ recipient: String, _ kind: NoticeKind) throws -> ConfirmationCode {
            let revision = kind == .alert ? 1 : 2
            let channel: Channel = recipient.hasPrefix("fax") ? .fax : .email
            return try #require(
                signer.code(
                    for: PlannedDelivery(
                        caseID: caseID, revision: revision, recipient: RecipientID(recipient), channel: channel, kind: kind, notBefore: t0))
            )
        }
        typealias Answer = (
            recipient: String, kind: NoticeKind, confirmation: MimamoriCore.Confirmation, seconds: TimeInterval, via: ConfirmationSource
        )
        var confirmations: [Answer] = []
        confirmations.append(("vol-001", .alert, .received, 300, .link))
        confirmations.append(("vol-002", .alert, .received, 1200, .link))
        confirmations.append(("fax-001", .alert, .received, 3000, .staff))
        confirmations.append(("vol-003", .alert, .received, 5 * 3600, .link))
        confirmations.append(("vol-004", .alert, .received, 2 * 86_400 - 600, .link))
        confirmations.append(("vol-001", .termination, .destroyed, 7200 + 900, .link))
        confirmations.append(("fax-001", .termination, .destroyed, 7200 + 3000, .staff))
        confirmations.append(("vol-002", .termination, .destroyed, 7200 + 86_400 - 60, .link))
        for (recipient, kind, confirmation, seconds, via) in confirmations {
            let outcome = try await ledger.recordConfirmation(confirmation, code: try code(recipient, kind), at: at(seconds), via: via)
            guard case .recorded = outcome else { throw FixtureError("\(recipient) \(confirmation): \(outcome)") }
        }
    }

    /// pdftotext of one page.
    static func text(_ pdf: URL, page: Int) throws -> String {
        try runTool("/usr/bin/pdftotext", ["-f", "\(page)", "-l", "\(page)", "-layout", pdf.path, "-"])
    }

    static func squeezed(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    @Test("the PDF (read back), both CSV files (parsed), 0600, Japanese messages; after the purge the counts stay and the names go")
    func drillReport() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        try await Self.fill(folder.ledger)

        let run = try folder.run([Self.caseID.rawValue, "--out", folder.out.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("訓練 KIM-DRILL-2026 の報告を"), "\(run.stdout)")
        #expect(run.stdout.contains("届いた宛先 14、受け取りの確認 5、処分の確認 3、届かなかった宛先 2、返事のない宛先 11。"), "\(run.stdout)")
        #expect(run.stdout.contains("協力者の名前を含みます"))

        let pdf = folder.out.appendingPathComponent("drill-report-KIM-DRILL-2026.pdf")
        let deliveries = folder.out.appendingPathComponent("drill-report-KIM-DRILL-2026-deliveries.csv")
        let summary = folder.out.appendingPathComponent("drill-report-KIM-DRILL-2026-summary.csv")
        for file in [pdf, deliveries, summary] {
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file.lastPathComponent) is \(String(mode ?? 0, radix: 8))")
        }

        let page1 = Self.squeezed(try Self.text(pdf, page: 1))
        for words in [
            "【訓練】この報告は訓練の記録です", "紀美野にこにこネットワーク訓練の報告（調整会議資料）", "事案番号:KIM-DRILL-2026", "1.情報の流れ（捜索依頼）",
            "発信（警察・町）", "+0秒", "台帳に記録", "+2秒", "FAX最初の受付", "+20秒", "メール最後の受付", "防災行政無線放送", "+10分0秒", "捜索の終了", "+2時間0分",
            "2.届いた数（経路別）", "FAX651083%", "メール1091090%", "防災行政無線1100100%", "送信完了3、送信失敗1、結果不明1", "3.届いた数（地区別）",
        ] {
            #expect(page1.contains(Self.squeezed(words)), "page 1 lacks \(words)\n\(page1)")
        }
        let all = Self.squeezed(try runTool("/usr/bin/pdftotext", ["-layout", pdf.path, "-"]))
        for words in [
            "4.受け取り・処分の確認（関心度）", "確認をお願いしました", "受け取りました3（21%）4（29%）5（36%）5（36%）5（36%）",
            "処分しました2（14%）3（21%）3（21%）3（21%）3（21%）", "宛先の数（累計）", "5.届かなかった宛先", "fax-006", "送れませんでした（http-422）",
            "vol-010", "期限までに送れませんでした（deferred）", "6.確認の返事がない宛先", "職員限り",
        ] {
            #expect(all.contains(Self.squeezed(words)), "the report lacks \(words)\n\(all)")
        }
        let settings = try SettingsFiles.load(configPath: folder.settings)
        let names = Dictionary(uniqueKeysWithValues: settings.directory.cooperators.map { ($0.id, $0.name) })
        let fax6 = try #require(names[RecipientID("fax-006")])
        // pdftotext -layout may read a wrapped cell's last line after its neighbours': its first words.
        #expect(all.contains(Self.squeezed(String(fax6.prefix(8)))), "the unreached are named for the staff")

        // The CSV as Excel opens it: BOM, CRLF, a header, one row per delivery.
        let bytes = try Data(contentsOf: deliveries)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let csv = try #require(String(validating: bytes.dropFirst(3), as: UTF8.self))
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines.last == "" && !csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(lines[0] == DrillReport.deliveryColumns.joined(separator: ","))
        #expect(lines.count - 2 == 17 + 14, "the alert's 17 and the termination's 14 deliveries")
        let fax1 = try #require(lines.first { $0.hasPrefix("fax-001,") && $0.contains("捜索依頼") })
        let fields = fax1.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(fields[1] == names[RecipientID("fax-001")] && fields[3] == "FAX" && fields[6] == "受付済み" && fields[9] == "送信完了")
        #expect(fields[8] == DrillReport.csvTime(Self.at(20)) && fields[10] == DrillReport.csvTime(Self.at(3000)))
        #expect(fields[11] == DrillReport.csvTime(Self.at(7200 + 3000)) && fields[12] == "電話・FAXで職員が記録")
        let summaryText = String(decoding: try Data(contentsOf: summary).dropFirst(3), as: UTF8.self)
        #expect(summaryText.contains("\r\nFAX 届いた,5,83%\r\n") && summaryText.contains("\r\n受け取りました 1時間以内,3,21%\r\n"), "\(summaryText)")
        #expect(summaryText.contains("\r\n発信（警察・町）,\(DrillReport.csvTime(Self.t0)),0秒後\r\n"))

        if ProcessInfo.processInfo.environment["MIMAMORI_WRITE_SAMPLES"] == "1" { try Self.writeSamples(pdf: pdf, csv: deliveries) }

        // Purged: the counts and times stay, the names go, and the staff are told.
        let ledger = try Ledger(path: folder.ledger)
        _ = try await ledger.purge(retention: .seconds(1), now: Date().addingTimeInterval(86_400))
        #expect(try await ledger.status(case: Self.caseID)?.purgedAt != nil)
        let again = try folder.run([Self.caseID.rawValue, "--out", folder.out.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("個人情報を消去したため、件数と時刻だけを載せています"), "\(again.stdout)")
        #expect(again.stdout.contains("届いた宛先 14、受け取りの確認 5、処分の確認 3"))
        let purged = Self.squeezed(try runTool("/usr/bin/pdftotext", ["-layout", pdf.path, "-"]))
        #expect(purged.contains("個人情報を消去しました") && purged.contains("fax-006") && purged.contains("+10分0秒"))
        let purgedCSV = String(decoding: try Data(contentsOf: deliveries), as: UTF8.self)
        for name in names.values where name.count > 1 {
            #expect(!purged.contains(Self.squeezed(name)) && !purgedCSV.contains(name), "\(name) is still printed")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: pdf.path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "a report made again is still the owner's only")
    }

    /// `docs/samples/drill-report-N.png` (`pdftoppm -r 100`) and `drill-report.csv`: the sample
    /// directory's fictitious cooperators, a made-up drill.
    static func writeSamples(pdf: URL, csv: URL) throws {
        let samples = root.appendingPathComponent("docs/samples")
        let folder = try ServerProcess.temporaryDirectory("drill-samples")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runTool("/usr/bin/pdftoppm", ["-png", "-r", "100", pdf.path, folder.appendingPathComponent("drill-report").path])
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            // pdftoppm numbers pages drill-report-1.png (or -01 for ten pages and more).
            let target = samples.appendingPathComponent(file)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: folder.appendingPathComponent(file), to: target)
        }
        let target = samples.appendingPathComponent("drill-report.csv")
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: csv, to: target)
    }

    @Test("an unknown case, and a case id that is no search, are told in Japanese")
    func refusals() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        try await Self.fill(folder.ledger)
        let unknown = try folder.run(["KIM-NONE", "--out", folder.out.path])
        #expect(unknown.status != 0 && unknown.stderr.contains("事案 KIM-NONE は台帳にありません"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.out.path), "nothing written")

        // A concern report kept in the case tables is no search.
        let ledger = try Ledger(path: folder.ledger)
        var concern = Intake(
            messageID: UUID().uuidString, caseID: CaseID("KIM-C-0001"), municipality: "kimino", sequence: 1, eventKind: "reported",
            receivedAt: Self.t0, body: Data("{}".utf8), state: CaseSnapshot(name: "reported", data: Data("{}".utf8)))
        concern.schema = EventSchema.concern.rawValue
        _ = try await ledger.recordIntake(concern)
        let notASearch = try folder.run(["KIM-C-0001", "--out", folder.out.path])
        #expect(notASearch.status != 0 && notASearch.stderr.contains("捜索の事案ではありません"), "\(notASearch.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.out.path), "nothing written")
    }
}

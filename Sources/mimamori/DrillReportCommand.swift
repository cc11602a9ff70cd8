import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Outlets

/// `mimamori drill-report CASE --out DIR`: the coordination meeting's report of a drill or a
/// real case (seed ⑬: 情報系統の確認、地域の関心度等を検証): an A4 PDF (`DrillReportDocument`), one
/// CSV row per delivery and a CSV of the figures (`DrillReport`), written readable by their
/// owner only: they name cooperators. A purged case still gives its counts and times, without
/// names.
struct DrillReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill-report",
        abstract: "The coordination meeting's report of a drill or a case (訓練の報告): an A4 PDF and two CSV files.")

    @Argument(help: "The case id (事案番号).")
    var caseID: String

    @Option(help: "The folder to write the PDF and the CSV files to (made if missing).")
    var out: String

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let settings = try options.loadSettings()
        var ledgerSettings = settings.configuration.ledger
        if let ledger { ledgerSettings.path = ledger }
        let opened: any CaseLedger
        do {
            opened = try await Ledger.open(ledgerSettings, password: ledgerPassword())
        } catch {
            printError("台帳 \(ledgerSettings.path) を開けません: \(error.message)（\(error.operatorHint)）")
            throw ExitCode(3)
        }
        let id = CaseID(caseID)
        guard let status = try await opened.status(case: id) else {
            printError("事案 \(caseID) は台帳にありません。事案番号を確かめてください（mimamori status で一覧を見られます）。")
            throw ExitCode.failure
        }
        guard status.schema == EventSchema.case.rawValue else {
            printError("\(caseID) は捜索の事案ではありません（情報提供や緊急一時保護の記録です）。報告は mimamori report で見てください。")
            throw ExitCode.failure
        }
        let report = DrillReport(
            subject: .init(
                caseID: id, drill: status.drill, openedAt: status.openedAt, closedAt: status.closedAt, purged: status.purgedAt != nil),
            events: try await opened.events(case: id).map {
                DrillReport.Event(sequence: $0.sequence, kind: $0.kind, issuedAt: $0.issuedAt, recordedAt: $0.recordedAt)
            },
            deliveries: try await opened.report(case: id).map(Self.delivery),
            cooperators: settings.directory.cooperators)

        let madeAt = Date()
        let rendered: ReportRenderer.Rendering
        do {
            let asked =
                settings.configuration.confirm != nil || report.confirmationTotal(.received) + report.confirmationTotal(.destroyed) > 0
            rendered = try ReportRenderer().render(
                DrillReportDocument.document(report, town: settings.configuration.town, madeAt: madeAt, confirmationsAsked: asked))
        } catch {
            printError("報告のPDFを作れません: \(error.message)（\(error.operatorHint)）")
            throw ExitCode(3)
        }
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            printError("\(out) を作れません。書き出す場所を確かめてください。")
            throw ExitCode(3)
        }
        let base = "drill-report-\(caseID)"
        let files = [
            ("\(base).pdf", rendered.pdf), ("\(base)-deliveries.csv", report.deliveriesCSV()), ("\(base)-summary.csv", report.summaryCSV()),
        ]
        for (name, bytes) in files {
            let path = folder.appendingPathComponent(name).path
            // A file left by an earlier run may be readable by others: it goes, and the new one is the owner's.
            try? FileManager.default.removeItem(atPath: path)
            guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
                printError("\(path) に書き込めません。書き出す場所を確かめてください。")
                throw ExitCode(3)
            }
        }

        let what = status.drill ? "訓練" : "事案"
        print("\(what) \(caseID) の報告を \(folder.path) に書き出しました:")
        print("  \(base).pdf（A4 \(rendered.pages) ページ、調整会議の資料）")
        print("  \(base)-deliveries.csv（送信ごとの一覧、Excel で開けます）")
        print("  \(base)-summary.csv（集計）")
        let reached = report.reachedRecipients().count
        print(
            "届いた宛先 \(reached)、受け取りの確認 \(report.confirmationTotal(.received))、処分の確認 \(report.confirmationTotal(.destroyed))、"
                + "届かなかった宛先 \(report.unreached().count)、返事のない宛先 \(report.unanswered().count)。")
        if report.deliveries.isEmpty { print("注意: この事案ではまだ何も送っていません（保留中の事案かもしれません）。") }
        if settings.configuration.confirm == nil {
            print("注意: 設定に確認のしくみ（confirm:）がないため、受け取り・処分の確認は集めていません。")
        }
        if report.publishedAt() == nil { print("注意: 発信の時刻が台帳にないため、情報の流れは台帳に記録した時刻から数えています。") }
        if status.purgedAt != nil {
            print("この事案は保存期間を過ぎて個人情報を消去したため、件数と時刻だけを載せています（協力者の名前は載せていません）。")
        } else {
            print("協力者の名前を含みます。職員だけで扱い、会議のあとは紙を回収し、ファイルは消してください。")
        }
    }

    /// A ledger line as the report reads it.
    static func delivery(_ line: ReportLine) -> DrillReport.Delivery {
        DrillReport.Delivery(
            recipient: line.recipient, channel: line.channel, kind: line.kind, revision: line.revision, state: line.state,
            lastErrorCode: line.lastErrorCode, plannedAt: line.createdAt, acceptedAt: line.acceptedAt,
            transmission: line.transmission.flatMap(DrillReport.Transmission.init(rawValue:)), receivedAt: line.receivedAt,
            destroyedAt: line.destroyedAt, confirmedVia: line.confirmedVia?.rawValue)
    }
}

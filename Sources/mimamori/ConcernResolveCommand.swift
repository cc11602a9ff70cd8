import ArgumentParser
import Foundation
import Ledger
import MimamoriCore

/// `mimamori concern resolve REPORT-ID --result TEXT --key KEYFILE`: the desk's result for the
/// reporter, as the `resolved` event after the last one the ledger recorded for the report.
struct ConcernResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Record the result of a concern report for the reporter and publish it, signed.")

    @Argument(help: "The report id (as `concern report` printed it).")
    var reportID: String

    @Option(help: "The result for the reporter, one short paragraph (at most \(ConcernEvent.maxNarrative) characters).")
    var result: String?

    @Option(name: .customLong("result-file"), help: "A file holding the result instead of --result.")
    var resultFile: String?

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var publishing: ConcernPublishOptions

    @OptionGroup var options: ConfigOption

    func validate() throws {
        guard (result == nil) != (resultFile == nil) else {
            throw ValidationError("give the result with exactly one of --result or --result-file")
        }
    }

    func run() async throws {
        let settings = try options.loadSettings().configuration
        var text = result ?? ""
        if let resultFile {
            guard let data = FileManager.default.contents(atPath: resultFile) else { throw ValidationError("cannot read \(resultFile)") }
            // A file ends in a line break, and a wrapped paragraph is one text for the notice.
            text = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        }
        var ledgerSettings = settings.ledger
        if let ledger { ledgerSettings.path = ledger }
        let reports: any CaseReports = try await Ledger.open(ledgerSettings, password: ledgerPassword())
        guard let status = try await reports.status(case: CaseID(reportID)), status.schema == EventSchema.concern.rawValue else {
            printError(
                "report \(reportID): the ledger has no such concern report (has the daemon received it? check the id with `mimamori status`)"
            )
            throw ExitCode.failure
        }
        guard status.purgedAt == nil else {
            printError("report \(reportID): its data was purged after the retention; nothing published")
            throw ExitCode.failure
        }
        guard status.closedAt == nil, status.stateName != ConcernState.Phase.resolved.rawValue else {
            printError("report \(reportID): already resolved; nothing published")
            throw ExitCode.failure
        }
        let prepared: ConcernReportFile.Prepared
        do {
            prepared = try ConcernReportFile.resolved(
                reportID: status.caseID, sequence: status.lastSequence + 1, municipality: status.municipality, drill: status.drill,
                result: text, now: Date(), messageID: UUID())
        } catch {
            throw error.refuse(resultFile ?? "--result")
        }
        let routingKey = try await publishing.publish(prepared, settings: settings)
        print(
            "report \(status.caseID) resolved (sequence \(prepared.event.sequence)), published as \(routingKey), signed, confirmed by the broker"
        )
    }
}

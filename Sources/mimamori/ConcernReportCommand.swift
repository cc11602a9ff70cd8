import ArgumentParser
import Foundation
import MimamoriCore

/// `mimamori concern report FILE --key KEYFILE`: the concern staff took by phone, from a YAML
/// (or JSON) file of what the caller said, checked, signed and published to
/// `mimamori.concerns`; prints the report id and the desks it reaches now.
struct ConcernReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Enter a concern report from a file (YAML or JSON) and publish it, signed.",
        discussion: """
            The file holds what the caller said: subject (name, address, area), observation, urgent, consent and \
            reporter (organization, name, phone, email or fax). schema, messageId, sequence, kind, issuedAt, \
            municipality and reportId are filled in when the file has none. Nothing is published when a field is wrong.
            """)

    @Argument(help: "The report file (YAML or JSON).")
    var file: String

    @OptionGroup var publishing: ConcernPublishOptions

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let settings = try options.loadSettings().configuration
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let now = Date()
        let prepared: ConcernReportFile.Prepared
        do {
            var random = SystemRandomNumberGenerator()
            prepared = try ConcernReportFile.prepare(
                String(decoding: data, as: UTF8.self), municipality: settings.municipality, now: now, messageID: UUID()
            ) { ConcernReportFile.newReportID(municipality: settings.municipality, at: now, using: &random) }
        } catch {
            throw error.refuse(file)
        }
        let routingKey = try await publishing.publish(prepared, settings: settings)
        let event = prepared.event
        print(
            "report \(event.reportID)\(prepared.madeReportID ? " (受付番号を付けました)" : "") published as \(routingKey), signed, confirmed by the broker"
        )
        guard let concerns = settings.concerns else {
            print("this town's settings have no concerns: section: the daemon will dead-letter the report (concern.not-enabled)")
            return
        }
        let route = concerns.contactDesks(area: event.subject?.area, urgent: event.urgent, at: now, areas: settings.areas)
        let desks = route.desks.map { id in concerns.desk(id).map { "\($0.name) (\(id))" } ?? id }
        print(
            "routed now to: \(desks.joined(separator: ", "))  rule=\(route.rule.rawValue)\(route.holiday.map { " (\($0))" } ?? "")\(route.urgent ? " 【至急】" : "")"
        )
    }
}

import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Outlets

/// `mimamori render EVENT.json --out DIR`: the notices an event would produce, with nothing sent.
/// For review before a drill and for checking template overrides. Writes, per notice kind, the
/// email as a volunteer would receive it (.eml) and as text, the FAX page as an A4 PDF with a PNG
/// preview of each page, the radio script and its CAP 1.2 document, and the notice as JSON (the
/// form the ledger stores). A concern report renders the desk's notice (`reported`) or the
/// result for the reporter (`resolved`, with `--report`): RenderCommand+Concern.swift.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the notices of a case event or a concern report into a folder, without sending anything.")

    @Argument(help: "A case event (JSON, schema mimamori.case/1) or a concern report (JSON or YAML, mimamori.concern/1).")
    var event: String

    @Option(name: .long, help: "Folder to write the notices to (created if missing).")
    var out: String

    @OptionGroup var options: ConfigOption

    @OptionGroup var registryKey: RegistryKeyOption

    @Option(name: .long, help: "The time to date the notices with, RFC 3339 (default: now).")
    var now: String?

    @Option(help: "For a concern's resolved event: the report it resolves (its reported event).")
    var report: String?

    @Option(
        name: .customLong("reported-at"),
        help: "For a concern's resolved event: when the report was received, which chose its desk (default: its issuedAt).")
    var reportedAt: String?

    func run() async throws {
        let instant = try instant(now, option: "--now")
        if try Self.isConcern(event) {
            try renderConcern(at: instant)
            return
        }
        // As the daemon's intake sees it: a photo no notice may use is left out, with a note; the
        // one kept is upright and without metadata.
        let photoIntake = PhotoIntake(try readCaseEvent(event))
        if let problem = photoIntake.event.photoLeftOut { printError("\(event): photo left out (\(problem.code))") }
        if photoIntake.notUpright { printError("\(event): photo could not be turned upright (photo.not-upright)") }
        let files = try options.loadSettings()
        // Then completed from the registration it names, as the intake completes it.
        let caseEvent = await registryKey.completed(photoIntake.event, configuration: files.configuration)
        // Rendering needs only the settings and templates; directory problems are for check-config.
        let planner = Planner(configuration: files.configuration, directory: files.directory, templates: files.templates)

        // Dated as the planner dates them: the description --now, the closing notices as they
        // would follow this case at --now (the reminder at the next business morning), the
        // radio after quiet hours.
        var notices: [(notice: RenderedNotice, at: Date)] = []
        if caseEvent.kind != .closed {
            let kind: NoticeKind = caseEvent.kind == .opened ? .alert : .update
            notices.append(
                (
                    planner.renderer.description(kind, event: caseEvent, photo: planner.photoToAttach(for: caseEvent), sentAt: instant),
                    instant
                ))
        }
        let sample = RecipientID("render")
        let closure = planner.closure(
            caseID: caseEvent.caseID, revision: caseEvent.sequence, drill: caseEvent.drill,
            history: DeliveryHistory(personalDataRecipients: [sample: [.email]], radioAnnounced: true),
            documentsFrom: instant, documentsTo: instant, now: instant)
        for notice in closure.notices {
            let at = closure.deliveries.first { notice.matches($0) && $0.recipient == sample }?.notBefore ?? instant
            notices.append((notice, at))
        }

        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        for (notice, at) in notices {
            let kind = notice.kind.rawValue
            // As a volunteer reads it: with `confirm:`, the links of the sample code at the end.
            let links =
                ConfirmationRequest.sample(
                    for: PlannedDelivery(
                        caseID: notice.caseID, revision: notice.revision, recipient: sample, channel: .email, kind: notice.kind,
                        notBefore: at), configuration: files.configuration)?.emailBlock ?? ""
            var written = [
                "\(kind).email.txt": "Subject: \(notice.email.subject)\n\n\(notice.email.body)\(links)",
                "\(kind).fax.txt": notice.fax.plainText,
            ]
            if let radio = notice.radio { written["\(kind).radio.txt"] = radio.text }
            for (name, text) in written.sorted(by: { $0.key < $1.key }) {
                try Data(text.utf8).write(to: folder.appendingPathComponent(name))
                print(folder.appendingPathComponent(name).path)
            }
            try encoder.encode(notice).write(to: folder.appendingPathComponent("\(kind).json"))
            // What each channel would send, by the daemon's own adapters; nothing leaves this machine.
            for adapter in Channels.adapters {
                let channel = adapter.channel
                let delivery = PlannedDelivery(
                    caseID: notice.caseID, revision: notice.revision, recipient: channel == .radio ? .radio : sample,
                    channel: channel, kind: notice.kind, notBefore: channel == .radio ? planner.radioNotBefore(at) : at)
                for file in try adapter.render(notice, delivery: delivery, configuration: files.configuration) {
                    let url = folder.appendingPathComponent(file.name)
                    try file.bytes.write(to: url)
                    print(url.path)
                }
            }
            if let photo = notice.photo {
                let name = "\(kind).photo." + (photo.mediaType == .png ? "png" : "jpg")
                try photo.data.write(to: folder.appendingPathComponent(name))
            }
        }
    }
}

import ArgumentParser
import Foundation
import MimamoriService
import MimamoriDaemon
import MimamoriCore
import Outlets

/// `mimamori render EVENT.json --out DIR`: the notices an event would produce, with nothing sent.
/// For review before a drill and for checking template overrides. Writes, per notice kind, the
/// email as a volunteer would receive it (.eml) and as text, the FAX page as an A4 PDF with a PNG
/// preview of each page, the radio script and its CAP 1.2 document, and the notice as JSON (the
/// form the ledger stores).
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the notices of a case event into a folder, without sending anything.")

    @Argument(help: "A case event (JSON, schema mimamori.case/1).")
    var event: String

    @Option(name: .long, help: "Folder to write the notices to (created if missing).")
    var out: String

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "The time to date the notices with, RFC 3339 (default: now).")
    var now: String?

    func run() async throws {
        let instant = try instant(now, option: "--now")
        // As the daemon's intake sees it: a photo no notice may use is left out, with a note; the
        // one kept is upright and without metadata.
        let photoIntake = PhotoIntake(try readCaseEvent(event))
        let caseEvent = photoIntake.event
        if let problem = caseEvent.photoLeftOut { printError("\(event): photo left out (\(problem.code))") }
        if photoIntake.notUpright { printError("\(event): photo could not be turned upright (photo.not-upright)") }
        let files = try options.loadSettings()
        // Rendering needs only the settings and templates; directory problems are for check-config.
        let planner = Planner(configuration: files.configuration, directory: files.directory, templates: files.templates)

        var notices: [RenderedNotice] = []
        if caseEvent.kind != .closed {
            let kind: NoticeKind = caseEvent.kind == .opened ? .alert : .update
            notices.append(planner.renderer.description(kind, event: caseEvent, photo: planner.photoToAttach(for: caseEvent), sentAt: instant))
        }
        // The closing notices as they would follow this case (dated --now; the reminder at the
        // next business morning).
        let reminderAt = JapaneseCalendar.nextMorning(
            after: instant, at: files.configuration.reminders.destructionAt,
            businessDaysOnly: files.configuration.reminders.businessDaysOnly)
        notices.append(planner.renderer.termination(
            caseID: caseEvent.caseID, revision: caseEvent.sequence, drill: caseEvent.drill, firstNoticeAt: instant, sentAt: instant))
        notices.append(planner.renderer.destructionReminder(
            caseID: caseEvent.caseID, revision: caseEvent.sequence, drill: caseEvent.drill, documentsFrom: instant,
            documentsTo: instant, terminatedAt: instant, sentAt: reminderAt))

        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        for notice in notices {
            let kind = notice.kind.rawValue
            var written = [
                "\(kind).email.txt": "Subject: \(notice.email.subject)\n\n\(notice.email.body)",
                "\(kind).fax.txt": notice.fax.plainText,
            ]
            if let radio = notice.radio { written["\(kind).radio.txt"] = radio.text }
            for (name, text) in written.sorted(by: { $0.key < $1.key }) {
                try Data(text.utf8).write(to: folder.appendingPathComponent(name))
                print(folder.appendingPathComponent(name).path)
            }
            try encoder.encode(notice).write(to: folder.appendingPathComponent("\(kind).json"))
            try writeOutletForms(notice, configuration: files.configuration, sentAt: kind == NoticeKind.destructionReminder.rawValue ? reminderAt : instant, into: folder)
            if let photo = notice.photo {
                let name = "\(kind).photo." + (photo.mediaType == .png ? "png" : "jpg")
                try photo.data.write(to: folder.appendingPathComponent(name))
            }
        }
    }
}

extension RenderCommand {
    /// The same notice in the forms the outlets send: what reaches a volunteer, an institution's
    /// FAX and the radio gateway. Nothing leaves this machine.
    func writeOutletForms(_ notice: RenderedNotice, configuration: Configuration, sentAt: Date, into folder: URL) throws {
        let kind = notice.kind.rawValue
        let from = EmailAddress(parsing: configuration.email.from)
        var attachments: [EmailAttachment] = []
        if let photo = notice.photo, notice.kind.carriesPersonalData {
            attachments.append(EmailAttachment(
                filename: "photo-\(notice.caseID.rawValue).\(photo.mediaType == .png ? "png" : "jpg")",
                mediaType: photo.mediaType.rawValue, bytes: photo.data))
        }
        let message = EmailMessage(
            from: from, to: EmailAddress("volunteer@example.jp", displayName: "協力者"), subject: notice.email.subject,
            body: notice.email.body, attachments: attachments,
            idempotencyKey: "\(notice.caseID.rawValue).\(notice.revision).\(kind).email.render", date: sentAt)
        let eml = folder.appendingPathComponent("\(kind).eml")
        try Data(MIMEMessage(message).rendered()).write(to: eml)
        print(eml.path)

        let pdf = try FaxRenderer().pdf(FaxDocument(notice: notice))
        let pdfURL = folder.appendingPathComponent("\(kind).fax.pdf")
        try pdf.write(to: pdfURL)
        print(pdfURL.path)
        for (index, png) in try FaxRenderer.previewPNG(pdf: pdf).enumerated() {
            let url = folder.appendingPathComponent("\(kind).fax-\(index + 1).png")
            try png.write(to: url)
            print(url.path)
        }

        if let script = notice.radio {
            let capKind: RadioBroadcast.Kind = notice.kind == .alert ? .alert : (notice.kind == .update ? .update : .cancel)
            let reference = RadioBroadcast.Reference(
                sender: from.address, identifier: "\(notice.caseID.rawValue).1.alert.radio.radio", sent: sentAt)
            let broadcast = RadioBroadcast(
                identifier: "\(notice.caseID.rawValue).\(notice.revision).\(kind).radio.radio", sender: from.address, sent: sentAt,
                kind: capKind, references: capKind == .alert ? [] : [reference], headline: notice.email.subject,
                script: script.text, areaDescription: configuration.town.name, isDrill: notice.drill,
                senderName: "\(configuration.town.name) \(configuration.town.department)",
                contact: "\(configuration.town.department) \(configuration.town.phone)")
            let url = folder.appendingPathComponent("\(kind).cap.xml")
            try Data(CAPDocument(broadcast).xml.utf8).write(to: url)
            print(url.path)
        }
    }
}

import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori render` for a concern report: the notice the daemon would plan for it, through
/// the same renderer and channel adapters, so the files are the bytes a desk or the reporter
/// would receive. A `reported` event gives the desk's notice (`concern-report.eml`, the A4
/// `concern-report.fax.pdf`), addressed as `--now` routes it; a `resolved` event gives the
/// result for the reporter (`concern-result.*`) and needs the report it resolves (`--report`),
/// as the daemon takes the reporter and the desk from the state the report left.
extension RenderCommand {
    /// Whether the file is a concern report (a case event is JSON; a concern may be YAML too).
    static func isConcern(_ path: String) throws -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let object: Any?
        if data.first(where: { !Set(" \t\r\n".utf8).contains($0) }) == UInt8(ascii: "{") {
            object = try? JSONSerialization.jsonObject(with: data)
        } else {
            object = try? JSONSerialization.jsonObject(with: try ConcernEventFile.json(path))
        }
        return (object as? [String: Any])?["schema"] as? String == EventSchema.concern.rawValue
    }

    func renderConcern(at instant: Date) throws {
        let files = try options.loadSettings()
        guard let concerns = files.configuration.concerns else {
            printError("\(options.config ?? "settings"): no concerns: section, so no concern notice is ever sent")
            throw ExitCode.failure
        }
        let areas = files.configuration.areas
        let renderer = Planner(configuration: files.configuration, directory: files.directory, templates: files.templates).renderer
        let concern = try ConcernEventFile.event(event)
        let notice: RenderedNotice
        let recipient: RecipientID
        switch concern.kind {
        case .reported:
            // Routed at the instant the daemon would receive it: the desk that is open then.
            let route = concerns.contactDesks(area: concern.subject?.area, urgent: concern.urgent, at: instant, areas: areas)
            notice = renderer.concernReport(concern, route: route, concerns: concerns, sentAt: instant)
            recipient = RecipientID(route.desks.first ?? concerns.centre)
        case .resolved:
            guard let report else {
                throw ValidationError("a resolved event needs --report REPORTED.json: the result goes to the reporter that report names")
            }
            let reported = try ConcernEventFile.event(report)
            guard reported.kind == .reported, reported.reportID == concern.reportID else {
                throw ValidationError("--report must be the reported event of \(concern.reportID.rawValue)")
            }
            let receivedAt = try reportedAt.map { try townInstant($0, option: "--reported-at") } ?? reported.issuedAt
            let route = concerns.contactDesks(area: reported.subject?.area, urgent: reported.urgent, at: receivedAt, areas: areas)
            let desk = route.desks.first.flatMap(concerns.desk)
            if reported.reporter?.email == nil && reported.reporter?.fax == nil {
                printError(
                    "\(concern.reportID.rawValue): 報告者は電話番号だけを伝えているため、結果の通知は送られません。"
                        + "\(desk?.name ?? "担当窓口") のコールバック一覧（mimamori concern callbacks）に載り、電話で伝えます。")
                return
            }
            notice = renderer.concernResult(
                reported, result: concern.result ?? "", revision: concern.sequence, sentAt: instant)
            recipient = ConcernDelivery.reporter
        }
        try write(notice, recipient: recipient, at: instant, configuration: files.configuration)
    }

    /// The notice's texts and JSON, then what each channel would send, by the daemon's adapters.
    func write(_ notice: RenderedNotice, recipient: RecipientID, at instant: Date, configuration: Configuration) throws {
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let kind = notice.kind.rawValue
        let texts = [
            "\(kind).email.txt": "Subject: \(notice.email.subject)\n\n\(notice.email.body)",
            "\(kind).fax.txt": notice.fax.plainText,
        ]
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
            print(folder.appendingPathComponent(name).path)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(notice).write(to: folder.appendingPathComponent("\(kind).json"))
        // Concern notices are never broadcast: email and FAX only.
        for adapter in Channels.adapters where adapter.channel != .radio {
            let delivery = PlannedDelivery(
                caseID: notice.caseID, revision: notice.revision, recipient: recipient, channel: adapter.channel, kind: notice.kind,
                notBefore: instant)
            for file in try adapter.render(notice, delivery: delivery, configuration: configuration) {
                let url = folder.appendingPathComponent(file.name)
                try file.bytes.write(to: url)
                print(url.path)
            }
        }
    }
}

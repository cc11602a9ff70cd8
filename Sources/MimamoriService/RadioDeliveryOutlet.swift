import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets

/// The disaster radio (防災行政無線): the script read aloud, as CAP 1.2 to the radio gateway
/// and/or a spool folder. An update refers to the announcements before it, the end of the search
/// (an all-clear `Update`) to every announcement of the case; every message names the case as
/// its incident and expires as `radioAnnouncement` says. Owns the `radio:` section.
public struct RadioDeliveryOutlet: ChannelAdapter {
    public static let channel = Channel.radio
    public var channel: Channel { Self.channel }
    public let concurrency = 1
    public let outlet: RadioOutlet
    private let ledger: any DeliveryQueue
    private let station: Station
    private let notices = NoticeCache()

    /// Who the CAP messages say they are from, from the town's settings.
    struct Station: Sendable {
        var sender: String
        var senderName: String
        var areaDescription: String
        var contact: String
        /// `radio.cap-expires`: how long an alert or update stands.
        var capExpires: Duration

        init(_ configuration: Configuration) {
            sender = EmailAddress(parsing: configuration.email.from).address
            senderName = "\(configuration.town.name) \(configuration.town.department)"
            areaDescription = configuration.town.name
            contact = "\(configuration.town.department) \(configuration.town.phone)"
            capExpires = configuration.radio?.capExpires ?? Configuration.Radio().capExpires
        }
    }

    init(outlet: RadioOutlet, ledger: any DeliveryQueue, station: Station) {
        self.outlet = outlet
        self.ledger = ledger
        self.station = station
    }

    public static func make(_ context: ChannelContext) throws(OutletError) -> RadioDeliveryOutlet? {
        guard let settings = context.configuration.radio else { return nil }
        let spool = settings.spool.map { RadioSpool(directory: $0, ttsCommand: settings.ttsCommand) }
        let outlet = try RadioOutlet(
            configuration: .init(capURL: settings.capURL, spool: spool), logger: Logger(label: "mimamori.radio"))
        return RadioDeliveryOutlet(outlet: outlet, ledger: context.ledger, station: Station(context.configuration))
    }

    /// The broadcast of one radio delivery: its CAP kind and `expires` as the core's
    /// `radioAnnouncement` says for the notice, its identifier from the delivery's key, `sent`
    /// the instant it was planned for, `references` the earlier announcements an update or the
    /// all-clear replaces, the case as its incident.
    static func broadcast(
        _ notice: RenderedNotice, idempotencyKey: String, sent: Date, references: [RadioBroadcast.Reference], station: Station
    ) throws(DeliveryFailure) -> RadioBroadcast {
        guard let script = notice.radio else {
            throw .permanent(.misconfigured, "notice has no radio script", hint: "check the radio templates")
        }
        let announcement = radioAnnouncement(notice.kind, sent: sent, validity: station.capExpires)
        return RadioBroadcast(
            identifier: capIdentifier(idempotencyKey), sender: station.sender, sent: sent, expires: announcement.expires,
            kind: capKind(announcement.kind), incident: capIncident(notice.caseID), references: references, headline: notice.email.subject,
            script: script.text,
            areaDescription: station.areaDescription, isDrill: notice.drill, drillNote: drillMark(drill: notice.drill)?.note,
            senderName: station.senderName, contact: station.contact)
    }

    /// CAP's name for what the core decided; never `.cancel`, which says a message was sent in
    /// error, and no event of a case means that.
    static func capKind(_ kind: RadioAnnouncement.Kind) -> RadioBroadcast.Kind {
        switch kind {
        case .alert: .alert
        case .update: .update
        case .allClear: .allClear
        }
    }

    public func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        let notice = try notices.notice(for: job)
        var references: [RadioBroadcast.Reference] = []
        if radioAnnouncement(job.kind, sent: job.notBefore, validity: station.capExpires).kind != .alert {
            do {
                references = try await ledger.announcements(case: job.caseID)
                    .filter { $0.idempotencyKey != job.idempotencyKey && $0.revision <= job.revision }
                    .map { .init(sender: station.sender, identifier: Self.capIdentifier($0.idempotencyKey), sent: $0.notBefore) }
            } catch {
                throw .transient(.deferred, "ledger unavailable for CAP references", hint: error.operatorHint)
            }
        }
        let broadcast = try Self.broadcast(
            notice, idempotencyKey: job.idempotencyKey, sent: job.notBefore, references: references, station: station)
        do {
            _ = try await outlet.send(broadcast)
        } catch {
            throw DeliveryFailure(outletError: error)
        }
    }

    /// `<kind>.cap.xml` as the radio gateway would receive it; an update or the all-clear refers
    /// to the case's first alert, planned at the same instant.
    public static func render(_ notice: RenderedNotice, delivery: PlannedDelivery, configuration: Configuration) throws(OutletError)
        -> [RenderedFile]
    {
        guard notice.radio != nil else { return [] }
        let station = Station(configuration)
        let alert = PlannedDelivery(
            caseID: notice.caseID, revision: 1, recipient: .radio, channel: .radio, kind: .alert, notBefore: delivery.notBefore)
        let references: [RadioBroadcast.Reference] =
            radioAnnouncement(notice.kind, sent: delivery.notBefore, validity: station.capExpires).kind == .alert
            ? [] : [.init(sender: station.sender, identifier: capIdentifier(alert.idempotencyKey), sent: alert.notBefore)]
        let broadcast: RadioBroadcast
        do {
            broadcast = try Self.broadcast(
                notice, idempotencyKey: delivery.idempotencyKey, sent: delivery.notBefore, references: references, station: station)
        } catch {
            throw OutletError(code: .invalidInput, isRetriable: false, message: error.summary, operatorHint: error.operatorHint)
        }
        return [RenderedFile(name: "\(notice.kind.rawValue).cap.xml", bytes: Data(try CAPDocument(broadcast).xml.utf8))]
    }

    public func shutdown() async { await outlet.shutdown() }

    /// CAP identifiers may not hold spaces, commas, `<` or `&`; our keys are made of case ids,
    /// numbers, kinds and ids, so this only guards against a future change of that shape.
    static func capIdentifier(_ key: String) -> String {
        String(key.map { $0 == " " || $0 == "," || $0 == "<" || $0 == "&" ? "_" : $0 })
    }

    /// CAP `incidents`: the case id, the police's reference that already opens every identifier
    /// of the case (letters, digits and hyphens, nothing about the person), so no new fact.
    static func capIncident(_ caseID: CaseID) -> String { capIdentifier(caseID.rawValue) }
}

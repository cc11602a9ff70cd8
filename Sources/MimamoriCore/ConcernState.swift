import Foundation

/// The lifecycle of one concern report: reported → resolved → purged.
///
/// Pure, like `CaseState`: `receive` takes an event with what the ledger holds of its report
/// (read in the transaction that will record it) and decides everything once. Codable: the
/// ledger stores it, and purges it with the report's other personal data.
///
/// Ordering rules, decided here and nowhere else:
/// - a message id already seen → ignored (`concern.repeated-message`): a redelivery changes nothing;
/// - a sequence ≤ the last accepted one → ignored (`concern.stale-sequence`);
/// - `reported` again for a report already recorded → ignored (`concern.reported-again`): the
///   desk already has it; a correction is a new report, or a phone call;
/// - `resolved` for a report never recorded → dead-lettered (`concern.unknown-report`);
/// - anything after `resolved` → ignored (`concern.after-resolution`);
/// - a purged report stays closed: ignored (`concern.purged`);
/// - a drill event for a real report or the reverse → dead-lettered (`concern.drill-mismatch`);
/// - an event of another municipality → dead-lettered (`concern.other-municipality`).
///
/// The desks are chosen once, when the report arrives (`Configuration.Concerns.contactDesks`),
/// at the time it arrives: the desk that is open then.
public struct ConcernState: Sendable, Hashable, Codable {
    public enum Phase: String, Sendable, Hashable, Codable, CaseIterable {
        case reported, resolved
    }

    public var reportID: CaseID
    public var municipality: String
    public var drill: Bool
    public var phase: Phase
    public var lastSequence: Int
    /// The `reported` event as accepted: what the result notice and the call-back list need.
    /// Personal data: purged with the state.
    public var report: ConcernEvent
    public var route: ConcernRoute
    public var reportedAt: Date
    /// Set by `resolved`; starts the retention period.
    public var closedAt: Date?
    /// The reporter left no address: the result goes by phone, from this desk's call-back list.
    public var callbackDesk: String?
    /// The desk's words for the reporter (`resolved`): what the call-back list reads out.
    /// Personal data, purged with the state.
    public var result: String?

    public enum Action: Sendable, Hashable {
        /// Store these deliveries and notices (in the same transaction as the new state).
        case plan([ConcernDelivery], notices: [RenderedNotice])
        /// Put the report on this desk's call-back list.
        case callBack(desk: String)
        /// Ack the message and change nothing; log the reason.
        case ignore(reason: String)
        /// Dead-letter the message with the reason as `x-mimamori-reason`.
        case reject(reason: String)
    }

    /// What the ledger holds of the report, and the settings it is decided with.
    public struct Context: Sendable {
        public var concerns: Configuration.Concerns
        public var municipality: String
        public var areas: AreaTree
        public var renderer: NoticeRenderer
        public var messageRecorded: Bool
        public var purged: Bool
        public var now: Date

        public init(
            concerns: Configuration.Concerns, municipality: String, areas: AreaTree, renderer: NoticeRenderer, messageRecorded: Bool,
            purged: Bool, now: Date
        ) {
            self.concerns = concerns
            self.municipality = municipality
            self.areas = areas
            self.renderer = renderer
            self.messageRecorded = messageRecorded
            self.purged = purged
            self.now = now
        }
    }

    public static func receive(_ event: ConcernEvent, state: inout ConcernState?, context: Context) -> [Action] {
        if context.messageRecorded { return [.ignore(reason: "concern.repeated-message")] }
        if event.municipality != context.municipality { return [.reject(reason: "concern.other-municipality")] }
        if context.purged { return [.ignore(reason: "concern.purged")] }
        guard var current = state else {
            guard event.kind == .reported, let subject = event.subject else { return [.reject(reason: "concern.unknown-report")] }
            let route = context.concerns.contactDesks(area: subject.area, urgent: event.urgent, at: context.now, areas: context.areas)
            let notice = context.renderer.concernReport(event, route: route, concerns: context.concerns, sentAt: context.now)
            var deliveries: [ConcernDelivery] = []
            for deskID in route.desks {
                guard let desk = context.concerns.desk(deskID) else { continue }
                deliveries += ConcernDelivery.toDesk(desk, report: event, notBefore: context.now)
            }
            state = ConcernState(
                reportID: event.reportID, municipality: event.municipality, drill: event.drill, phase: .reported,
                lastSequence: event.sequence, report: event, route: route, reportedAt: context.now)
            return [.plan(deliveries, notices: [notice])]
        }
        if event.drill != current.drill { return [.reject(reason: "concern.drill-mismatch")] }
        if event.sequence <= current.lastSequence { return [.ignore(reason: "concern.stale-sequence")] }
        if current.phase == .resolved { return [.ignore(reason: "concern.after-resolution")] }
        guard event.kind == .resolved, let result = event.result else { return [.ignore(reason: "concern.reported-again")] }

        current.phase = .resolved
        current.lastSequence = event.sequence
        current.closedAt = context.now
        current.result = result
        defer { state = current }
        let reporter = current.report.reporter
        let deliveries = ConcernDelivery.toReporter(reporter, report: current.report, revision: event.sequence, notBefore: context.now)
        guard !deliveries.isEmpty else {
            let desk = current.route.desks.first ?? context.concerns.centre
            current.callbackDesk = desk
            return [.callBack(desk: desk)]
        }
        let notice = context.renderer.concernResult(current.report, result: result, revision: event.sequence, sentAt: context.now)
        return [.plan(deliveries, notices: [notice])]
    }
}

/// One concern notice to one address: a desk's (from the settings) or the reporter's (from the
/// report). Personal data: the ledger purges the address with the report.
public struct ConcernDelivery: Sendable, Hashable {
    public var planned: PlannedDelivery
    public var address: String

    public init(planned: PlannedDelivery, address: String) {
        self.planned = planned
        self.address = address
    }

    /// The reporter, as the ledger and `mimamori report` name them: never their name.
    public static let reporter = RecipientID("reporter")

    /// Every address of the desk, on each of its channels, in parallel. The desk's id names the
    /// first address of a channel; a second one is `<desk>-2`, and so on.
    public static func toDesk(_ desk: Configuration.Concerns.Desk, report: ConcernEvent, notBefore: Date) -> [ConcernDelivery] {
        var out: [ConcernDelivery] = []
        // The outlets take the normal forms, as the directory hands them over.
        let faxes = desk.faxes.map { Addresses.normalisedFaxNumber($0) ?? $0 }
        let emails = desk.emails.map { Addresses.normalisedEmail($0) ?? $0 }
        for (channel, addresses) in [(Channel.fax, faxes), (Channel.email, emails)] {
            for (index, address) in addresses.enumerated() {
                let recipient = Self.recipient(desk: desk, index: index)
                out.append(
                    ConcernDelivery(
                        planned: PlannedDelivery(
                            caseID: report.reportID, revision: report.sequence, recipient: recipient, channel: channel,
                            kind: .concernReport, notBefore: notBefore),
                        address: address))
            }
        }
        return out
    }

    /// The id the ledger and `mimamori report` give the desk's address at `index` of a channel.
    public static func recipient(desk: Configuration.Concerns.Desk, index: Int) -> RecipientID {
        RecipientID(index == 0 ? desk.id : "\(desk.id)-\(index + 1)")
    }

    /// The desk a recipient id names, the inverse of `recipient(desk:index:)`: its id, or its id
    /// and `-N` (also for an address the settings no longer list: the ledger keeps old ids).
    public static func desk(of recipient: RecipientID, in concerns: Configuration.Concerns) -> Configuration.Concerns.Desk? {
        let id = recipient.rawValue
        if let desk = concerns.desk(id) { return desk }
        guard let dash = id.lastIndex(of: "-"), Int(id[id.index(after: dash)...]) != nil else { return nil }
        return concerns.desk(String(id[..<dash]))
    }

    /// The reporter's email and FAX, whichever they gave.
    static func toReporter(_ contact: ConcernEvent.Reporter?, report: ConcernEvent, revision: Int, notBefore: Date) -> [ConcernDelivery] {
        guard let contact else { return [] }
        let fax = contact.fax.map { Addresses.normalisedFaxNumber($0) ?? $0 }
        let email = contact.email.map { Addresses.normalisedEmail($0) ?? $0 }
        return [(Channel.fax, fax), (Channel.email, email)].compactMap { channel, address in
            address.map {
                ConcernDelivery(
                    planned: PlannedDelivery(
                        caseID: report.reportID, revision: revision, recipient: Self.reporter, channel: channel,
                        kind: .concernResult, notBefore: notBefore),
                    address: $0)
            }
        }
    }
}

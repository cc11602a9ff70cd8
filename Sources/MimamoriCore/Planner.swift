import Foundation

/// What the ledger knows about a case's past deliveries, needed to plan updates and closure.
///
/// "Sent" includes "possibly sent" (`PossiblySent`): a delivery that was in flight (handed to an
/// outlet, no answer yet) counts, because the recipient may hold the data and must be told to
/// destroy it.
public struct DeliveryHistory: Sendable, Hashable, Codable {
    /// Every recipient that was sent (or possibly sent) an alert or an update, with every channel
    /// it was sent on: a recipient the directory moved from FAX to email holds the data on both.
    /// The radio is not in here: it holds no documents.
    public var personalDataRecipients: [RecipientID: Set<Channel>]
    /// Whether the radio broadcast (or possibly broadcast) the alert or an update
    /// (Article 11-2: then the radio announces the end too).
    public var radioAnnounced: Bool

    public init(personalDataRecipients: [RecipientID: Set<Channel>] = [:], radioAnnounced: Bool = false) {
        self.personalDataRecipients = personalDataRecipients.filter { $0.key != .radio }
            .mapValues { $0.subtracting([.radio]) }.filter { !$0.value.isEmpty }
        self.radioAnnounced = radioAnnounced || personalDataRecipients[.radio] != nil
    }

    /// Each (recipient, channel) that holds the data, in a stable order.
    public var holders: [(recipient: RecipientID, channel: Channel)] {
        personalDataRecipients.flatMap { id, channels in channels.map { (recipient: id, channel: $0) } }
            .filter { $0.recipient != .radio && $0.channel != .radio }
            .sorted { ($0.recipient.rawValue, $0.channel.rawValue) < ($1.recipient.rawValue, $1.channel.rawValue) }
    }

    public static let none = DeliveryHistory()
}

/// The deliveries one event causes, with the notices they carry.
public struct DeliveryPlan: Sendable, Hashable {
    public var deliveries: [PlannedDelivery]
    /// One per (case, revision, kind) among the deliveries; `RenderedNotice.matches` pairs them.
    public var notices: [RenderedNotice]
    /// Who the plan reaches among the cooperators, and why the others are left out.
    public var reach: Reach

    public init(deliveries: [PlannedDelivery] = [], notices: [RenderedNotice] = [], reach: Reach = Reach()) {
        self.deliveries = deliveries
        self.notices = notices
        self.reach = reach
    }

    public func notice(for delivery: PlannedDelivery) -> RenderedNotice? { notices.first { $0.matches(delivery) } }

    /// Two plans are the same when they send the same notices to the same recipients; the reach
    /// is the account of that choice, not part of it.
    public static func == (a: DeliveryPlan, b: DeliveryPlan) -> Bool { a.deliveries == b.deliveries && a.notices == b.notices }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(deliveries)
        hasher.combine(notices)
    }
}

/// Decides who is told what, when. Pure: every input, including the time, is passed in.
///
/// Each rule of the seeds lives in exactly one function here:
/// - `reach(for:)`: nobody without consent.cooperators (様式第3号); cooperators by municipality
///   (`townReason`: partner towns only with consent.partnerTowns, each row by one daemon);
///   inactive rows never; by area only where the
///   town's area tree knows both sides and they do not overlap (`areaReason`, design 6);
/// - `radioAllowed(for:)`: the radio only with consent.radio (Article 9-2) and a configured radio
///   (a partner's case only with consent.partnerTowns too, `reachesThisTown`);
/// - `photoToAttach(for:)`: a photo only with consent.photo;
/// - `caseAreas(_:)`: the areas of the case, widened (never narrowed) by a registration's;
/// - `closure(…)`: termination only to those sent the alert/update, on every channel they were
///   sent it on, the radio only if it announced (Article 11, 11-2); one destruction reminder per
///   recipient and channel of personal data (11-3); "sent" is `PossiblySent`;
/// - `radioNotBefore(_:)`: quiet hours.
public struct Planner: Sendable {
    public var configuration: Configuration
    public var directory: CooperatorDirectory
    public var renderer: NoticeRenderer
    /// Each cooperator's areas placed in the tree once, not once per event.
    private let directoryAreas: [RecipientID: [AreaTree.Placement]]

    public init(configuration: Configuration, directory: CooperatorDirectory, templates: NoticeTemplates = .builtIn) {
        self.configuration = configuration
        self.directory = directory
        self.renderer = NoticeRenderer(templates: templates, town: configuration.town, areas: configuration.areas)
        renderer.confirmations = configuration.confirm != nil
        renderer.municipality = configuration.municipality
        renderer.partnerNames = configuration.partnerNames
        var placed: [String: AreaTree.Placement] = [:]
        var areas: [RecipientID: [AreaTree.Placement]] = [:]
        for cooperator in directory.cooperators where !cooperator.areas.isEmpty {
            areas[cooperator.id] = cooperator.areas.map { text in
                if let known = placed[text] { return known }
                let placement = configuration.areas.place(text)
                placed[text] = placement
                return placement
            }
        }
        self.directoryAreas = areas
    }

    // MARK: rules

    /// The areas a case concerns: where the person lives and where they were last seen, and the
    /// areas of the places a registration says the person often goes (よく行く場所: where to
    /// look too). What a registration brings only widens who is asked: the residence area it
    /// filled and its places count only beside an area of the event's own, so an event without
    /// areas still asks everyone.
    public func caseAreas(_ event: CaseEvent) -> [AreaTree.Placement] {
        let written = caseAreaTexts(event)
        return (written.own + written.registered).map { configuration.areas.place($0) }
    }

    /// `caseAreas` as written, before the tree places them: the event's own, and those its
    /// registration adds (none when the event has no area of its own), each area once.
    public func caseAreaTexts(_ event: CaseEvent) -> (own: [String], registered: [String]) {
        var seen = Set<String>()
        func written(_ texts: [String?]) -> [String] {
            texts.compactMap { $0 }.filter { text in
                let normalised = AreaTree.normalised(text)
                return !normalised.isEmpty && seen.insert(normalised).inserted
            }
        }
        let additions = event.registryAdditions
        let filledResidence = additions?.filled.contains(.residenceArea) ?? false
        let own = written([filledResidence ? nil : event.person?.residenceArea, event.lastSeen?.area])
        guard !own.isEmpty else { return ([], []) }
        let registered = written([filledResidence ? event.person?.residenceArea : nil] + (additions?.frequentedPlaces.map(\.area) ?? []))
        return (own, registered)
    }

    /// Design 6: a cooperator is asked when one of its areas shares ground with one of the case's
    /// (equal, containing or contained: a case known only as 海南市 asks the 日方 shop too), and
    /// skipped only when the tree knows every area on both sides and none overlaps. A cooperator
    /// without areas watches the whole town; a case without areas asks everyone.
    public func areaReason(cooperator: [AreaTree.Placement], case caseAreas: [AreaTree.Placement]) -> Reach.Reason {
        guard !cooperator.isEmpty, !caseAreas.isEmpty else { return .asked }
        var unknown = false
        for mine in cooperator {
            for theirs in caseAreas {
                guard case .known(let a) = mine, case .known(let b) = theirs else {
                    unknown = true
                    continue
                }
                if configuration.areas.overlaps(a, b) { return .asked }
            }
        }
        return unknown ? .askedUnknownArea : .skippedArea
    }

    /// Seed 004 (圏域で取り組む, 必要に応じ両市・町のネットワークを利用可能): whether this daemon
    /// tells a row of another town at all, and a row of its own about another town's case. Each
    /// cooperator is alerted by exactly one daemon: a partner that runs its own (`own-daemon`)
    /// alerts its rows itself, from the case this daemon forwards to it; this daemon alerts the
    /// rows of other towns in its directory only for its own cases, and only with the family's
    /// consent (`consent.partnerTowns`). A partner's forwarded case reaches this town's rows with
    /// that consent alone. Nil: the row is this daemon's to decide on by the other rules.
    public func townReason(cooperator c: Cooperator, event: CaseEvent) -> Reach.Reason? {
        let own = configuration.municipality
        if c.municipality == own { return reachesThisTown(event) ? nil : .otherTown }
        if configuration.partners[c.municipality] == .ownDaemon { return .partnerDaemon }
        return event.municipality == own && event.consent.partnerTowns ? nil : .otherTown
    }

    /// A partner's forwarded case reaches this town (its rows, its radio, its updates) only while
    /// the family consents to partner towns; our own cases always do.
    public func reachesThisTown(_ event: CaseEvent) -> Bool {
        event.municipality == configuration.municipality || event.consent.partnerTowns
    }

    /// For every directory row, whether an alert (or, newly, an update) of this case asks it.
    public func reach(for event: CaseEvent) -> Reach {
        let areas = caseAreas(event)
        let decisions = directory.cooperators.map { c -> Reach.Decision in
            let reason: Reach.Reason =
                if let reason = townReason(cooperator: c, event: event) { reason } else if !c.active {
                    .skippedInactive
                } else if !event.consent.cooperators { .skippedConsent } else {
                    areaReason(cooperator: directoryAreas[c.id] ?? [], case: areas)
                }
            return Reach.Decision(recipient: c.id, channel: c.channel, reason: reason)
        }
        let unknown = areas.compactMap { if case .unknown(let text) = $0 { text } else { nil } }
        return Reach(decisions: decisions, unknownCaseAreas: unknown)
    }

    /// The cooperators to send an alert (or, newly, an update) to.
    public func recipients(for event: CaseEvent) -> [Cooperator] {
        reach(for: event).decisions.filter(\.reason.isAsked).compactMap { directory[$0.recipient] }
    }

    public func radioAllowed(for event: CaseEvent) -> Bool {
        event.consent.cooperators && event.consent.radio && configuration.radio != nil && reachesThisTown(event)
    }

    public func photoToAttach(for event: CaseEvent) -> CaseEvent.Photo? {
        event.consent.cooperators && event.consent.photo ? event.photo : nil
    }

    /// Quiet hours: `defer` holds the broadcast until they end; `broadcast` sends now.
    public func radioNotBefore(_ now: Date) -> Date {
        (configuration.radio?.quietHours ?? .none).earliestBroadcast(at: now)
    }

    // MARK: plans

    /// The first notice of a case.
    public func alert(_ event: CaseEvent, now: Date) -> DeliveryPlan {
        let reach = reach(for: event)
        let asked = reach.decisions.filter(\.reason.isAsked).compactMap { directory[$0.recipient] }
        return describe(.alert, event, to: asked, reach: reach, now: now)
    }

    /// A follow-up: to every recipient that already holds the case's data (so their copy is
    /// current) and to cooperators that match now but did not before (the person moved into their
    /// area). Each gets the full description, since the event carries the full state. Former
    /// recipients that left the network (inactive, or gone from the directory) are not sent
    /// anything new, but still get the termination.
    public func update(_ event: CaseEvent, history: DeliveryHistory, now: Date) -> DeliveryPlan {
        var reach = reach(for: event)
        // Consent withdrawn: those who hold the data get no more of it, only the closure.
        guard event.consent.cooperators, reachesThisTown(event) else { return DeliveryPlan(reach: reach) }
        var recipients = reach.decisions.filter(\.reason.isAsked).compactMap { directory[$0.recipient] }
        let known = Set(recipients.map(\.id))
        var holders: Set<RecipientID> = []
        for id in history.personalDataRecipients.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !known.contains(id) {
            if let c = directory[id], c.active {
                recipients.append(c)
                holders.insert(id)
            }
        }
        for i in reach.decisions.indices where holders.contains(reach.decisions[i].recipient) {
            reach.decisions[i].reason = .holdsData
        }
        return describe(.update, event, to: recipients, reach: reach, now: now)
    }

    func describe(_ kind: NoticeKind, _ event: CaseEvent, to cooperators: [Cooperator], reach: Reach, now: Date) -> DeliveryPlan {
        let radio = radioAllowed(for: event)
        guard !cooperators.isEmpty || radio else { return DeliveryPlan(reach: reach) }
        var deliveries = cooperators.map {
            PlannedDelivery(
                caseID: event.caseID, revision: event.sequence, recipient: $0.id, channel: $0.channel, kind: kind, notBefore: now)
        }
        if radio {
            deliveries.append(
                PlannedDelivery(
                    caseID: event.caseID, revision: event.sequence, recipient: .radio, channel: .radio, kind: kind,
                    notBefore: radioNotBefore(now)))
        }
        let notice = renderer.description(kind, event: event, photo: photoToAttach(for: event), sentAt: now)
        return DeliveryPlan(deliveries: deliveries, notices: [notice], reach: reach)
    }

    /// Closure (Article 11): a termination notice to each recipient that was sent personal data,
    /// the radio only if it announced, and one destruction reminder per recipient of personal data
    /// at the next business morning. Nothing for recipients that were never told.
    ///
    /// `documentsFrom`/`documentsTo`: when the first and last alert/update were sent (the reminder
    /// names those dates). `firstNoticeAt` is the date the termination refers to.
    public func closure(
        caseID: CaseID, revision: Int, drill: Bool, history: DeliveryHistory, documentsFrom: Date, documentsTo: Date,
        now: Date
    ) -> DeliveryPlan {
        // The radio holds no documents: it gets a termination only if it announced, never a reminder.
        let holders = history.holders
        var deliveries: [PlannedDelivery] = holders.map {
            PlannedDelivery(
                caseID: caseID, revision: revision, recipient: $0.recipient, channel: $0.channel, kind: .termination, notBefore: now)
        }
        if history.radioAnnounced {
            deliveries.append(
                PlannedDelivery(
                    caseID: caseID, revision: revision, recipient: .radio, channel: .radio, kind: .termination,
                    notBefore: radioNotBefore(now)))
        }
        let reminderAt = JapaneseCalendar.nextMorning(
            after: now, at: configuration.reminders.destructionAt,
            businessDaysOnly: configuration.reminders.businessDaysOnly)
        deliveries += holders.map {
            PlannedDelivery(
                caseID: caseID, revision: revision, recipient: $0.recipient, channel: $0.channel, kind: .destructionReminder,
                notBefore: reminderAt)
        }
        let reach = closureReach(holders: holders)
        guard !deliveries.isEmpty else { return DeliveryPlan(reach: reach) }
        var notices = [renderer.termination(caseID: caseID, revision: revision, drill: drill, firstNoticeAt: documentsFrom, sentAt: now)]
        if !holders.isEmpty {
            notices.append(
                renderer.destructionReminder(
                    caseID: caseID, revision: revision, drill: drill, documentsFrom: documentsFrom, documentsTo: documentsTo,
                    terminatedAt: now, sentAt: reminderAt))
        }
        return DeliveryPlan(deliveries: deliveries, notices: notices, reach: reach)
    }

    /// The closure's reach: every holder of the case's data (inactive or gone from the directory
    /// since, too); every other row was never told, so it is told nothing now.
    func closureReach(holders: [(recipient: RecipientID, channel: Channel)]) -> Reach {
        let held = Set(holders.map(\.recipient))
        var decisions = directory.cooperators.map { c -> Reach.Decision in
            let reason: Reach.Reason =
                if held.contains(c.id) { .holdsData } else if c.municipality != configuration.municipality {
                    configuration.partners[c.municipality] == .ownDaemon ? .partnerDaemon : .otherTown
                } else if !c.active { .skippedInactive } else { .neverAlerted }
            return Reach.Decision(recipient: c.id, channel: c.channel, reason: reason)
        }
        for (id, channel) in holders where directory[id] == nil {
            decisions.append(Reach.Decision(recipient: id, channel: channel, reason: .holdsData))
        }
        return Reach(decisions: decisions)
    }
}

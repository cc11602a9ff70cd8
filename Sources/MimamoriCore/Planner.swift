import Foundation

/// What the ledger knows about a case's past deliveries, needed to plan updates and closure.
///
/// "Sent" includes "possibly sent": a delivery that was in flight (handed to an outlet, no answer
/// yet) counts, because the recipient may hold the data and must be told to destroy it.
public struct DeliveryHistory: Sendable, Hashable, Codable {
    /// Every recipient that was sent (or possibly sent) an alert or an update, with its channel.
    /// The radio is not in here: it holds no documents.
    public var personalDataRecipients: [RecipientID: Channel]
    /// Whether the radio broadcast (or possibly broadcast) the alert or an update
    /// (Article 11-2: then the radio announces the end too).
    public var radioAnnounced: Bool

    public init(personalDataRecipients: [RecipientID: Channel] = [:], radioAnnounced: Bool = false) {
        self.personalDataRecipients = personalDataRecipients.filter { $0.key != .radio }
        self.radioAnnounced = radioAnnounced || personalDataRecipients[.radio] != nil
    }

    public static let none = DeliveryHistory()
}

/// The deliveries one event causes, with the notices they carry.
public struct DeliveryPlan: Sendable, Hashable {
    public var deliveries: [PlannedDelivery]
    /// One per (case, revision, kind) among the deliveries; `RenderedNotice.matches` pairs them.
    public var notices: [RenderedNotice]

    public init(deliveries: [PlannedDelivery] = [], notices: [RenderedNotice] = []) {
        self.deliveries = deliveries
        self.notices = notices
    }

    public func notice(for delivery: PlannedDelivery) -> RenderedNotice? { notices.first { $0.matches(delivery) } }
}

/// Decides who is told what, when. Pure: every input, including the time, is passed in.
///
/// Each rule of the seeds lives in exactly one function here:
/// - `recipients(for:)`: nobody without consent.cooperators (様式第3号); cooperators by municipality
///   (partner towns only with consent.partnerTowns) and area; inactive rows never;
/// - `radioAllowed(for:)`: the radio only with consent.radio (Article 9-2) and a configured radio;
/// - `photoToAttach(for:)`: a photo only with consent.photo;
/// - `closure(…)`: termination only to those sent the alert/update, the radio only if it announced
///   (Article 11, 11-2); one destruction reminder per recipient of personal data (11-3);
/// - `radioNotBefore(_:)`: quiet hours.
public struct Planner: Sendable {
    public var configuration: Configuration
    public var directory: CooperatorDirectory
    public var renderer: NoticeRenderer

    public init(configuration: Configuration, directory: CooperatorDirectory, templates: NoticeTemplates = .builtIn) {
        self.configuration = configuration
        self.directory = directory
        self.renderer = NoticeRenderer(templates: templates, town: configuration.town)
    }

    // MARK: rules

    /// The areas a case concerns: where the person lives and where they were last seen.
    /// A cooperator covering either is asked; a cooperator with no areas covers everything.
    public func caseAreas(_ event: CaseEvent) -> Set<String> {
        Set([event.person?.residenceArea, event.lastSeen?.area].compactMap { $0 })
    }

    /// The cooperators to send an alert (or, newly, an update) to.
    public func recipients(for event: CaseEvent) -> [Cooperator] {
        guard event.consent.cooperators else { return [] }
        let areas = caseAreas(event)
        return directory.active.filter { c in
            (c.municipality == event.municipality || event.consent.partnerTowns) && c.covers(anyOf: areas)
        }
    }

    public func radioAllowed(for event: CaseEvent) -> Bool {
        event.consent.cooperators && event.consent.radio && configuration.radio != nil
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
        describe(.alert, event, to: recipients(for: event), now: now)
    }

    /// A follow-up: to every recipient that already holds the case's data (so their copy is
    /// current) and to cooperators that match now but did not before (the person moved into their
    /// area). Each gets the full description, since the event carries the full state. Former
    /// recipients that left the network (inactive, or gone from the directory) are not sent
    /// anything new, but still get the termination.
    public func update(_ event: CaseEvent, history: DeliveryHistory, now: Date) -> DeliveryPlan {
        guard event.consent.cooperators else { return DeliveryPlan() }
        var recipients = recipients(for: event)
        let known = Set(recipients.map(\.id))
        for id in history.personalDataRecipients.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !known.contains(id) {
            if let c = directory[id], c.active { recipients.append(c) }
        }
        return describe(.update, event, to: recipients, now: now)
    }

    func describe(_ kind: NoticeKind, _ event: CaseEvent, to cooperators: [Cooperator], now: Date) -> DeliveryPlan {
        let radio = radioAllowed(for: event)
        guard !cooperators.isEmpty || radio else { return DeliveryPlan() }
        var deliveries = cooperators.map {
            PlannedDelivery(caseID: event.caseID, revision: event.sequence, recipient: $0.id, channel: $0.channel, kind: kind, notBefore: now)
        }
        if radio {
            deliveries.append(PlannedDelivery(
                caseID: event.caseID, revision: event.sequence, recipient: .radio, channel: .radio, kind: kind,
                notBefore: radioNotBefore(now)))
        }
        let notice = renderer.description(kind, event: event, photo: photoToAttach(for: event), sentAt: now)
        return DeliveryPlan(deliveries: deliveries, notices: [notice])
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
        let holders = history.personalDataRecipients.filter { $0.key != .radio && $0.value != .radio }
            .sorted { $0.key.rawValue < $1.key.rawValue }
        var deliveries: [PlannedDelivery] = holders.map {
            PlannedDelivery(caseID: caseID, revision: revision, recipient: $0.key, channel: $0.value, kind: .termination, notBefore: now)
        }
        if history.radioAnnounced {
            deliveries.append(PlannedDelivery(
                caseID: caseID, revision: revision, recipient: .radio, channel: .radio, kind: .termination,
                notBefore: radioNotBefore(now)))
        }
        let reminderAt = JapaneseCalendar.nextMorning(
            after: now, at: configuration.reminders.destructionAt,
            businessDaysOnly: configuration.reminders.businessDaysOnly)
        deliveries += holders.map {
            PlannedDelivery(
                caseID: caseID, revision: revision, recipient: $0.key, channel: $0.value, kind: .destructionReminder,
                notBefore: reminderAt)
        }
        guard !deliveries.isEmpty else { return DeliveryPlan() }
        var notices = [renderer.termination(caseID: caseID, revision: revision, drill: drill, firstNoticeAt: documentsFrom, sentAt: now)]
        if !holders.isEmpty {
            notices.append(renderer.destructionReminder(
                caseID: caseID, revision: revision, drill: drill, documentsFrom: documentsFrom, documentsTo: documentsTo,
                terminatedAt: now, sentAt: reminderAt))
        }
        return DeliveryPlan(deliveries: deliveries, notices: notices)
    }
}

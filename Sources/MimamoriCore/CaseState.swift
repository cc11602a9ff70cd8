import Foundation
import Timing

/// The lifecycle of one case: (held →) opened → updated* → closed → purged.
///
/// A pure state machine in the manner of swift-kafka-client's `KafkaConsumer.StateMachine`:
/// `receive` takes an event with what the ledger holds of its case (read in the transaction that
/// will record the event) and decides everything once, returning the actions the intake carries
/// out in that same transaction (store the plan, cancel pending deliveries, raise an alarm, ack
/// and ignore, or dead-letter). Codable: the ledger stores it.
///
/// Ordering rules (design 3.1), decided here and nowhere else:
/// - a message id already seen → `ignore(.repeatedMessage)` (a redelivery or republish);
/// - a sequence ≤ the last accepted one → `ignore(.staleSequence)`;
/// - a gap (sequence jumps by more than one) → accepted: every event carries the full state of the
///   case, so the newest one is right; the plan reports the gap for the log;
/// - `updated`/`closed` for a case never opened → `reject(.unknownCase)` (dead-letter);
/// - `opened` for a case already open (newer sequence) → treated as an update: it is a republish
///   with full state, not a second case;
/// - anything after closure → `ignore(.afterClosure)`;
/// - a case purged after its retention has no state left, and stays closed for good: any event
///   for it is ignored (`.repeatedMessage` for a message id the ledger recorded, otherwise
///   `.afterClosure(.purged)`), so a replay of an old alert never alerts again;
/// - a message id the ledger recorded for another case → `ignore(.repeatedMessage)`;
/// - a drill event for a real case or the reverse → `reject(.drillMismatch)`: never mixed;
/// - an event of another municipality → `reject(.otherMunicipality)` (a routing mistake), unless
///   that town is a partner that runs its own daemon (`partners:`, `own-daemon`): its forwarded
///   case is taken like one of ours, planned against our directory (`Planner.townReason`); a new
///   one without `consent.partnerTowns` → `reject(.partnerWithoutConsent)` (it should never have
///   been forwarded);
/// - forwarding (seed 004): our own case whose accepted event carries `consent.partnerTowns` is
///   forwarded (`forward`) to every `own-daemon` partner, and from then on every later accepted
///   event of it too, the closure always, whatever its consent field says: a partner that was
///   told must hear the end. The partners are fixed by that first event, so one added to the
///   settings later never receives half a case. Without that consent nothing is ever forwarded;
/// - a closure with `shelter` records the stay and plans its request (`Planner.shelterOnClosure`),
///   held with an alarm when it must wait for the staff; the closure's own plan is unchanged;
/// - `opened` for an unknown case issued longer ago than `publishers.max-age` → `hold(.stale)`:
///   recorded, nobody told, until the staff release it (`release`). A later event of a held
///   case replaces what is held; a closure closes it, and since nobody was told, nobody is told
///   of the end either.
public struct CaseState: Sendable, Hashable, Codable {
    public enum Phase: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Recorded but not sent: waits for the staff (`mimamori release`).
        case held
        case opened, updated, closed
        /// Its retention ended: the ledger kept ids, counts and times, not the state.
        case purged

        var order: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Phase, b: Phase) -> Bool { a.order < b.order }
    }

    public enum Action: Sendable, Hashable {
        /// Store these deliveries and notices (in the same transaction as the new state).
        case plan(DeliveryPlan)
        /// Cancel deliveries of these kinds that have not been handed to an outlet yet.
        case cancelPending(caseID: CaseID, kinds: Set<NoticeKind>)
        /// Ack the message and change nothing; log the reason.
        case ignore(reason: IgnoreReason)
        /// Dead-letter the message with the reason as `x-mimamori-reason`.
        case reject(reason: RejectReason)
        /// Record the event (ack it) but send nothing: the case waits for the staff.
        case hold(reason: HoldReason)
        /// Raise this case alarm (recorded with the event, mailed from the ledger).
        case raise(Alarm)
        /// Record this emergency temporary stay (緊急一時保護) of the closure, with its request's
        /// notices and deliveries (none while it is held).
        case shelter(ShelterPlan)
        /// Forward the event, exactly as signed, to these partner towns' daemons (recorded with
        /// the event, published from the ledger).
        case forward(partners: [String])
    }

    public enum Alarm: Sendable, Hashable {
        /// A case was held as stale: the staff and the operator are told, once, when it is first
        /// held (an update of a held case replaces what is held without a second alarm).
        case heldStale
        /// A closure's shelter request waits for the staff (`ShelterStay.HoldReason`).
        case shelterHeld
    }

    public enum HoldReason: Sendable, Hashable, CustomStringConvertible {
        /// The alert was issued longer ago than `publishers.max-age`: a replay (after a ledger
        /// restore, of an old dead letter) or a genuine alert stuck behind an outage; only a
        /// person can tell which.
        case stale(age: TimeInterval)

        public var code: String {
            switch self {
            case .stale: "held.stale"
            }
        }
        public var description: String {
            switch self {
            case .stale(let age): "\(code): issued \(Int(age / 3600)) h ago"
            }
        }
    }

    public enum IgnoreReason: Sendable, Hashable, CustomStringConvertible {
        case repeatedMessage
        case staleSequence(received: Int, last: Int)
        case afterClosure(phase: Phase)

        public var code: String {
            switch self {
            case .repeatedMessage: "case.repeated-message"
            case .staleSequence: "case.stale-sequence"
            case .afterClosure: "case.after-closure"
            }
        }
        public var description: String {
            switch self {
            case .repeatedMessage: code
            case .staleSequence(let r, let l): "\(code): seq \(r) ≤ last accepted \(l)"
            case .afterClosure(let p): "\(code): case is \(p.rawValue)"
            }
        }
    }

    public enum RejectReason: Sendable, Hashable, CustomStringConvertible {
        case unknownCase(kind: CaseEvent.Kind)
        case drillMismatch
        case otherMunicipality
        /// A partner's case forwarded without the family's consent to share it with us.
        case partnerWithoutConsent

        /// For the `x-mimamori-reason` header: no personal data.
        public var code: String {
            switch self {
            case .unknownCase: "case.unknown"
            case .drillMismatch: "case.drill-mismatch"
            case .otherMunicipality: "case.other-municipality"
            case .partnerWithoutConsent: "case.partner-without-consent"
            }
        }
        public var description: String {
            switch self {
            case .unknownCase(let kind): "\(code): \(kind.rawValue) for a case that was never opened"
            case .drillMismatch: "\(code): drill flag differs from the case's"
            case .otherMunicipality: "\(code): event is for another municipality's queue"
            case .partnerWithoutConsent: "\(code): a partner town's case without consent.partnerTowns"
            }
        }
    }

    public let caseID: CaseID
    public let drill: Bool
    public private(set) var phase: Phase
    public private(set) var lastSequence: Int
    public private(set) var seenMessageIDs: Set<UUID>
    /// When the first notices were planned (the date the termination refers to).
    public private(set) var openedAt: Date
    /// When the latest alert/update was planned (the reminder names documents up to this date).
    public private(set) var lastDescribedAt: Date
    public private(set) var closedAt: Date?
    /// The sequence numbers skipped over (for the audit).
    public private(set) var skippedSequences: Int
    /// The partner towns this case is forwarded to (nil: none, and a state stored before
    /// partners existed).
    public private(set) var forwardedTo: [String]?

    /// Inputs of the decision that come from outside the state: settings, directory, templates,
    /// what the ledger remembers beside the state (the delivery history, whether it recorded the
    /// message id, whether it purged the case), and the time.
    public struct Context: Sendable {
        public var planner: Planner
        public var history: DeliveryHistory
        /// The ledger recorded an event with this message id (its row outlives the purge).
        public var messageRecorded: Bool
        /// The ledger purged the case after its retention: it knows the case, not its state.
        public var purged: Bool
        public var now: Date
        /// A closure's shelter request's fields (the case's latest description and the
        /// registration it names), gathered before the transaction; nil: from the closure alone.
        public var shelterRequest: ShelterRequest?
        public init(
            planner: Planner, history: DeliveryHistory = .none, messageRecorded: Bool = false, purged: Bool = false, now: Date,
            shelterRequest: ShelterRequest? = nil
        ) {
            self.planner = planner
            self.history = history
            self.messageRecorded = messageRecorded
            self.purged = purged
            self.now = now
            self.shelterRequest = shelterRequest
        }
    }

    init(opening event: CaseEvent, now: Date, held: Bool = false) {
        self.caseID = event.caseID
        self.drill = event.drill
        self.phase = held ? .held : .opened
        self.lastSequence = event.sequence
        self.seenMessageIDs = [event.messageID]
        self.openedAt = now
        self.lastDescribedAt = now
        self.closedAt = nil
        self.skippedSequences = 0
        self.forwardedTo = nil
    }

    /// The entry point for the intake: `state` is the ledger's state of the event's case, nil if
    /// the case is unknown or purged; it is updated in place when the event is accepted.
    public static func receive(_ event: CaseEvent, state: inout CaseState?, context: Context) -> [Action] {
        let configuration = context.planner.configuration
        let ours = event.municipality == configuration.municipality
        guard ours || configuration.partners[event.municipality] == .ownDaemon else {
            return [.reject(reason: .otherMunicipality)]
        }
        if !ours, state == nil, !context.purged, !event.consent.partnerTowns {
            return [.reject(reason: .partnerWithoutConsent)]
        }
        if context.purged {
            return [.ignore(reason: context.messageRecorded ? .repeatedMessage : .afterClosure(phase: .purged))]
        }
        var next: CaseState
        let actions: [Action]
        if let current = state {
            next = current
            actions = next.receive(event, context: context)
        } else {
            guard event.kind == .opened else { return [.reject(reason: .unknownCase(kind: event.kind))] }
            let age = context.now.timeIntervalSince(event.issuedAt)
            let maxAge = context.planner.configuration.publishers.maxAge.components
            if age > TimeInterval(maxAge.seconds) {
                next = CaseState(opening: event, now: context.now, held: true)
                actions = [.hold(reason: .stale(age: age)), .raise(.heldStale)]
            } else {
                next = CaseState(opening: event, now: context.now)
                actions = [.plan(context.planner.alert(event, now: context.now))]
            }
        }
        let taken = !actions.contains { action in
            switch action {
            case .ignore, .reject: true
            case .plan, .cancelPending, .hold, .raise, .shelter, .forward: false
            }
        }
        guard taken else { return actions }
        // The state remembers the message ids of its own case; the ledger those of every case.
        if context.messageRecorded { return [.ignore(reason: .repeatedMessage)] }
        if ours, next.forwardedTo == nil, event.consent.partnerTowns, !configuration.forwardingPartners.isEmpty {
            next.forwardedTo = configuration.forwardingPartners
        }
        state = next
        guard let partners = next.forwardedTo, !partners.isEmpty else { return actions }
        return actions + [.forward(partners: partners)]
    }

    /// An event for this (known) case; only through the entry point above.
    private mutating func receive(_ event: CaseEvent, context: Context) -> [Action] {
        precondition(event.caseID == caseID, "the intake looks the state up by the event's case id")
        if seenMessageIDs.contains(event.messageID) { return [.ignore(reason: .repeatedMessage)] }
        if event.sequence <= lastSequence {
            return [.ignore(reason: .staleSequence(received: event.sequence, last: lastSequence))]
        }
        if phase >= .closed { return [.ignore(reason: .afterClosure(phase: phase))] }
        if event.drill != drill { return [.reject(reason: .drillMismatch)] }

        skippedSequences += event.sequence - lastSequence - 1
        lastSequence = event.sequence
        seenMessageIDs.insert(event.messageID)
        let now = context.now
        // A held case stays held until the staff release it; what it holds is the newest event.
        if phase == .held, event.kind != .closed {
            lastDescribedAt = now
            return [.hold(reason: .stale(age: now.timeIntervalSince(event.issuedAt)))]
        }
        switch event.kind {
        case .opened, .updated:
            phase = .updated
            lastDescribedAt = now
            return [
                .cancelPending(caseID: caseID, kinds: [.alert, .update]),
                .plan(context.planner.update(event, history: context.history, now: now)),
            ]
        case .closed:
            phase = .closed
            closedAt = now
            let plan = context.planner.closure(
                caseID: caseID, revision: event.sequence, drill: drill, history: context.history,
                documentsFrom: openedAt, documentsTo: lastDescribedAt, now: now)
            var actions: [Action] = [.cancelPending(caseID: caseID, kinds: [.alert, .update]), .plan(plan)]
            // The person found needs care now: the request goes (or waits for the staff) whatever
            // the cooperators were told, a held case's too.
            if let closure = event.closure, let shelter = closure.shelter {
                let request = context.shelterRequest ?? ShelterRequest(person: event.person, shelter: shelter, registration: nil)
                let stay = context.planner.shelterOnClosure(
                    caseID: caseID, revision: event.sequence, drill: drill, closure: closure, shelter: shelter, request: request,
                    now: now)
                actions.append(.shelter(stay))
                if stay.stay.state == .held { actions.append(.raise(.shelterHeld)) }
            }
            return actions
        }
    }

    /// The staff released a held case (`mimamori release`): the alert of `event` (the latest
    /// held event) goes out now, as if it had just arrived. Nil when the case is not held.
    public mutating func release(_ event: CaseEvent, context: Context) -> DeliveryPlan? {
        guard phase == .held, event.caseID == caseID else { return nil }
        phase = .opened
        openedAt = context.now
        lastDescribedAt = context.now
        return context.planner.alert(event, now: context.now)
    }
}

import Foundation
import Ledger
import Logging
import MimamoriCore
import Timing

/// From one broker message to one ledger transaction: verify, decode, run the case state machine
/// and the planner, record. It answers what to do with the message; the consumer loop does it
/// (ack only after the commit this returns from).
///
/// Intake is sequential (one message at a time) so that the case state it reads before the
/// transaction is the state the transaction replaces.
public struct CaseIntake: Sendable {
    /// What to do with the broker message.
    public enum Decision: Sendable, Equatable {
        /// The event's consequences are committed: ack. `planKept`: a large plan's first
        /// deliveries are written and the rest kept (`Intake.firstCommit`); write them
        /// (`IntakeStore.completePlans`) before the ack.
        case recorded(
            caseID: CaseID, sequence: Int, kind: String, planned: [Channel: Int], cancelled: Int, reach: Reach, planKept: Bool = false)
        /// Nothing to do, and nothing will ever be (repeat, stale): ack.
        case ignored(caseID: CaseID?, reason: String)
        /// Input that can never succeed: dead-letter with this reason.
        case rejected(caseID: CaseID?, reason: String)
        /// A concern report's event is committed: ack. `desks` and `rule` say where a report
        /// went and why; `callback` names the desk whose call-back list it joined.
        case concernRecorded(
            reportID: CaseID, sequence: Int, kind: String, planned: [Channel: Int], desks: [String], rule: String, callback: String?)
    }

    /// The settings the intake works with; replaced as a whole on SIGHUP.
    public struct Settings: Sendable {
        public var configuration: Configuration
        public var planner: Planner
        public var publisherKeys: PublisherKeys
        /// Directory rows the settings in force left out (`/healthz` is degraded while any are).
        public var refusedRows = 0

        public init(configuration: Configuration, planner: Planner, publisherKeys: PublisherKeys, refusedRows: Int = 0) {
            self.configuration = configuration
            self.planner = planner
            self.publisherKeys = publisherKeys
            self.refusedRows = refusedRows
        }
    }

    /// A case's deliveries its event's own transaction writes; the rest of a larger plan are
    /// kept in it and written after (`IntakeStore.completePlans`), so that the first notices go
    /// out while the rest of a town-wide fan-out is written. Enough that a small town's case is
    /// written at once.
    public static let firstCommit = 512

    public let ledger: any IntakeStore
    public var limits: CaseEvent.Limits
    /// The families' advance registrations an event's `person.registrationId` names; nil when
    /// the settings have no `registry:`.
    public let registry: Registry?
    /// Signs each delivery's confirmation code; nil when the settings have no `confirm:`.
    public let confirmations: ConfirmationSigner?
    let logger: Logger

    public init(
        ledger: any IntakeStore, limits: CaseEvent.Limits = .default, registry: Registry? = nil,
        confirmations: ConfirmationSigner? = nil, logger: Logger = Logger(label: "mimamori.intake")
    ) {
        self.ledger = ledger
        self.limits = limits
        self.registry = registry
        self.confirmations = confirmations
        self.logger = logger
    }

    /// The registration an event names, opened; nil (and one line saying why) when there is no
    /// registry, no such registration, or it cannot be opened. Never a reason to hold an alert
    /// back: the notices then carry what the event carries.
    func registration(for event: CaseEvent) async -> Registration? {
        guard let text = event.person?.registrationID else { return nil }
        // Only a registry's form of id is logged: the field is the publisher's free text.
        guard RegistrationID.isValid(text) else {
            logger.warning(
                "registry.unknown-id", metadata: .keys([.case: "\(event.caseID)", .seq: "\(event.sequence)", .reason: "not-an-id"]))
            return nil
        }
        let id = RegistrationID(text)
        let keys: Logger.Metadata = .keys([.case: "\(event.caseID)", .seq: "\(event.sequence)", .registration: "\(id)"])
        guard let registry else {
            logger.warning("registry.not-enabled", metadata: keys)
            return nil
        }
        do {
            guard let registration = try await registry.registration(id) else {
                logger.warning("registry.unknown-id", metadata: keys)
                return nil
            }
            return registration
        } catch {
            logger.error("registry.unreadable", metadata: keys.merging(.keys([.reason: "\(error.code)"])) { a, _ in a })
            return nil
        }
    }

    /// Decides and records. Throws only `LedgerError`: the message must then stay unacked (the
    /// ledger could not take it; nothing about the message is wrong).
    public func process(
        body: [UInt8], headers: [String: String], transportMessageID: String?, settings: Settings, now: Date
    ) async throws(LedgerError) -> Decision {
        switch Self.open(body: body, headers: headers, settings: settings, limits: limits) {
        case .refused(let caseID, let reason):
            try await ledger.recordRejected(messageID: transportMessageID, caseID: caseID, reason: reason, at: now)
            return .rejected(caseID: caseID, reason: reason)
        case .opened(let envelope, let signedBy):
            // Each schema its own decoder, state and planner.
            switch envelope.schema {
            case .case:
                return try await receiveCase(
                    envelope, body: body, headers: headers, signedBy: signedBy, transportMessageID: transportMessageID,
                    settings: settings, now: now)
            case .concern:
                return try await receiveConcern(
                    envelope, body: body, signedBy: signedBy, transportMessageID: transportMessageID, settings: settings, now: now)
            }
        }
    }

    /// What every schema shares, in this order: the size, the signature, the envelope.
    enum Opened {
        case opened(EventEnvelope, signedBy: String?)
        case refused(caseID: CaseID?, reason: String)
    }

    static func open(body: [UInt8], headers: [String: String], settings: Settings, limits: CaseEvent.Limits) -> Opened {
        // Size first: nothing else is worth doing on a body the schema forbids.
        if body.count > limits.maxBodyBytes {
            let error = CaseEventError.oversized(bytes: body.count, limit: limits.maxBodyBytes)
            return .refused(caseID: peekCaseID(body), reason: error.reason)
        }
        var signedBy: String?
        if settings.configuration.publishers.requireSignature {
            do {
                signedBy = try settings.publisherKeys.verify(body: body, headers: headers)
            } catch {
                return .refused(caseID: peekCaseID(body), reason: error.reason)
            }
        }
        do {
            return .opened(try EventEnvelope.open(body, limits: limits), signedBy: signedBy)
        } catch {
            return .refused(caseID: peekCaseID(body), reason: error.reason)
        }
    }

    /// A `mimamori.case/1` event: decoded, its photo judged, then decided by `CaseState.receive`
    /// once, inside the ledger transaction that records what it decided.
    private func receiveCase(
        _ envelope: EventEnvelope, body: [UInt8], headers: [String: String], signedBy: String?, transportMessageID: String?,
        settings: Settings, now: Date
    ) async throws(LedgerError) -> Decision {
        let decoded: CaseEvent
        do {
            decoded = try CaseEvent.decode(envelope, limits: limits)
        } catch {
            let caseID = Self.peekCaseID(body)
            try await ledger.recordRejected(messageID: transportMessageID, caseID: caseID, reason: error.reason, at: now)
            return .rejected(caseID: caseID, reason: error.reason)
        }
        // Before any notice is planned from it: a photo no notice may use is left out here, and
        // the one kept is turned upright and stripped of its metadata.
        let photoIntake = PhotoIntake(decoded)
        let checked = photoIntake.event
        if let signedBy, !settings.publisherKeys.mayKey(signedBy, signFor: checked.municipality) {
            try await ledger.recordRejected(
                messageID: transportMessageID, caseID: checked.caseID, reason: PublisherKeys.wrongTownReason, at: now)
            return .rejected(caseID: checked.caseID, reason: PublisherKeys.wrongTownReason)
        }

        // The ledger keeps the police's own event; the notices are planned from it completed by
        // the registration it names (after the photo step, so a registry photo, cleaned when it
        // was registered, never stands in the stored body or goes through it twice).
        let storedBody = photoIntake.storedBody(original: body, decoded: decoded, limits: limits)
        // A partner's case is the police's event alone: the family registered with their own
        // town, whose registry stays there (this town's has no such registration anyway).
        let event = checked.municipality == settings.configuration.municipality ? await completed(checked) : checked
        let planner = settings.planner
        let deadline = settings.configuration.retry.deadline
        // What the request needs beyond the closure is read before the transaction: intake is
        // sequential, so no event of the case can come between.
        var shelterRequest: ShelterRequest?
        if event.kind == .closed, let shelter = event.closure?.shelter {
            shelterRequest = try await self.shelterRequest(for: event, shelter: shelter)
        }
        let (outcome, decided) = try await ledger.recordIntake(
            case: event.caseID, messageID: event.messageID.uuidString.lowercased(), at: now
        ) { [shelterRequest, confirmations] reading in
            try Self.decideWithStay(
                event, reading: reading, storedBody: storedBody, transportMessageID: transportMessageID, planner: planner,
                deadline: deadline, now: now, shelterRequest: shelterRequest, confirmations: confirmations,
                signed: SignedMessage(body: body, headers: headers))
        }
        let decision = decided.decision
        switch outcome {
        case .duplicate:
            // Not from a decided intake (the decision saw the message id); kept for the exhaustive switch.
            return .ignored(caseID: event.caseID, reason: CaseState.IgnoreReason.repeatedMessage.code)
        case .audited:
            return decision
        case .recorded(let written, let cancelled):
            if let problem = checked.photoLeftOut {
                logger.warning(
                    "photo.left-out", metadata: .keys([.case: "\(event.caseID)", .seq: "\(event.sequence)", .reason: "\(problem.code)"]))
            }
            if photoIntake.notUpright {
                logger.warning("photo.not-upright", metadata: .keys([.case: "\(event.caseID)", .seq: "\(event.sequence)"]))
            }
            if let plan = decided.shelter { logShelter(plan) }
            guard case .recorded(let caseID, let sequence, let kind, let planned, _, let reach, _) = decision else { return decision }
            // A held alert is not sent yet: its release merges again, and audits that.
            if kind != "held" { await recordMerge(event, at: now) }
            return .recorded(
                caseID: caseID, sequence: sequence, kind: kind, planned: planned, cancelled: cancelled, reach: reach,
                planKept: written > Self.firstCommit)
        }
    }

    /// The event as its notices describe it: an alert or update that names a registration is
    /// filled from it (`CaseEvent.filled(from:)`); a closure describes nobody.
    func completed(_ event: CaseEvent) async -> CaseEvent {
        guard event.kind != .closed, let registration = await registration(for: event) else { return event }
        return event.filled(from: registration)
    }

    /// The merge's line and its registry audit row (`merged`, the case id as the reason): the
    /// registry shows which cases used a registration. The alert is committed by then, so a
    /// ledger that cannot take the row is logged, not a reason to keep the message.
    func recordMerge(_ event: CaseEvent, at now: Date) async {
        guard let additions = event.registryAdditions else { return }
        let keys: Logger.Metadata = .keys([
            .case: "\(event.caseID)", .seq: "\(event.sequence)", .registration: "\(additions.registrationID)",
            .places: "\(additions.frequentedPlaces.count)", .filled: "\(additions.filled.count)",
            .photo: additions.filled.contains(.photo) ? "yes" : "no",
        ])
        logger.info("registry.merged", metadata: keys)
        guard let registry else { return }
        do {
            try await registry.store.recordRegistryAudit(
                RegistryAuditEntry(
                    action: "merged", registrationID: additions.registrationID, at: now, by: "mimamorid", reason: "\(event.caseID)"))
        } catch {
            logger.error(
                "registry.audit-failed",
                metadata: .keys([.case: "\(event.caseID)", .registration: "\(additions.registrationID)", .reason: "\(error.code)"]))
        }
    }

    /// The decision, and the closure's stay when it recorded one (for its log line).
    struct Decided: Sendable {
        var decision: Decision
        var shelter: ShelterPlan?
    }

    /// Inside the ledger's transaction: the one run of the state machine, on the stored state and
    /// the delivery history as they are now, and what the ledger is to write of its actions.
    static func decide(
        _ event: CaseEvent, reading: IntakeReading, storedBody: Data, transportMessageID: String?, planner: Planner,
        deadline: Duration, now: Date, confirmations: ConfirmationSigner? = nil
    ) throws -> (entry: IntakeEntry, decided: Decision) {
        let (entry, decided) = try decideWithStay(
            event, reading: reading, storedBody: storedBody, transportMessageID: transportMessageID, planner: planner,
            deadline: deadline, now: now, shelterRequest: nil, confirmations: confirmations)
        return (entry, decided.decision)
    }

    /// The broker message as it came: what a partner town is forwarded, so that its daemon
    /// verifies the police's own signature.
    struct SignedMessage: Sendable {
        var body: Data
        /// Only the signature's headers: nothing else of the message travels on.
        var headers: [String: String]
        init(body: [UInt8], headers: [String: String]) {
            self.body = Data(body)
            self.headers = headers.filter { $0.key == PublisherKeys.keyIDHeader || $0.key == PublisherKeys.signatureHeader }
        }
    }

    static func decideWithStay(
        _ event: CaseEvent, reading: IntakeReading, storedBody: Data, transportMessageID: String?, planner: Planner,
        deadline: Duration, now: Date, shelterRequest: ShelterRequest?, confirmations: ConfirmationSigner?,
        signed: SignedMessage? = nil
    ) throws -> (entry: IntakeEntry, decided: Decided) {
        func only(_ entry: IntakeEntry, _ decision: Decision) -> (entry: IntakeEntry, decided: Decided) {
            (entry, Decided(decision: decision))
        }
        if let stored = reading.stored, stored.schema != EventSchema.case.rawValue {
            let reason = stored.schema == ShelterStay.recordSchema ? "case.id-of-a-shelter-request" : "case.id-of-a-concern"
            return only(.reject(messageID: transportMessageID, reason: reason), .rejected(caseID: event.caseID, reason: reason))
        }
        // A partner's case id that names one of ours (or the reverse): never merged into it. An
        // event of a town this daemon does not take is the state machine's routing mistake.
        let configuration = planner.configuration
        let taken = event.municipality == configuration.municipality || configuration.partners[event.municipality] == .ownDaemon
        if taken, let stored = reading.stored, stored.municipality != event.municipality {
            let reason = "case.id-of-another-town"
            return only(.reject(messageID: transportMessageID, reason: reason), .rejected(caseID: event.caseID, reason: reason))
        }
        var prior: CaseState?
        if let stored = reading.stored, stored.purgedAt == nil {
            do {
                prior = try stored.snapshot.decode(CaseState.self)
            } catch {
                throw corruptState(event.caseID)
            }
        }
        var recipients: [RecipientID: Set<Channel>] = [:]
        for holder in reading.holders.recipients { recipients[holder.recipient, default: []].insert(holder.channel) }
        let context = CaseState.Context(
            planner: planner,
            history: DeliveryHistory(personalDataRecipients: recipients, radioAnnounced: reading.holders.radioAnnounced),
            messageRecorded: reading.messageRecorded, purged: reading.stored?.purgedAt != nil, now: now,
            shelterRequest: shelterRequest)
        var next = prior
        let actions = CaseState.receive(event, state: &next, context: context)

        var plan = DeliveryPlan()
        var cancelKinds: Set<NoticeKind> = []
        var alarms: [CaseAlarm.Kind] = []
        var held = false
        var shelter: ShelterPlan?
        var partners: [String] = []
        for action in actions {
            switch action {
            case .reject(let reason):
                return only(
                    .reject(messageID: transportMessageID, reason: reason.code), .rejected(caseID: event.caseID, reason: reason.code))
            case .ignore(let reason):
                return only(
                    .ignore(messageID: transportMessageID, reason: reason.code), .ignored(caseID: event.caseID, reason: reason.code))
            case .cancelPending(_, let kinds): cancelKinds.formUnion(kinds)
            case .plan(let p):
                plan.deliveries += p.deliveries
                plan.notices += p.notices
                plan.reach = p.reach
            case .hold: held = true
            case .raise(.heldStale): alarms.append(.heldStale)
            case .raise(.shelterHeld): alarms.append(.shelterHeld)
            case .shelter(let p): shelter = p
            case .forward(let towns): partners = towns
            }
        }
        guard let next else {
            return only(
                .ignore(messageID: transportMessageID, reason: "case.no-state"), .ignored(caseID: event.caseID, reason: "case.no-state"))
        }
        let snapshot: CaseSnapshot
        do {
            snapshot = try CaseSnapshot(name: next.phase.rawValue, encoding: next, closedAt: next.closedAt)
        } catch {
            throw corruptState(event.caseID)
        }
        let rows = try ledgerRows(
            plan, planner: planner, heldAddresses: reading.holders.recipients, deadline: deadline, confirmations: confirmations)
        var intake = Intake(
            messageID: event.messageID.uuidString.lowercased(), caseID: event.caseID,
            municipality: event.municipality, drill: event.drill, sequence: event.sequence,
            eventKind: event.kind.rawValue, receivedAt: now, body: storedBody, state: snapshot,
            notices: rows.notices, deliveries: rows.deliveries, cancelKinds: cancelKinds)
        intake.alarms = alarms
        intake.issuedAt = event.issuedAt
        intake.firstCommit = Self.firstCommit
        // The police's own bytes, not the stored body (which may have lost its photo here).
        let original = signed ?? SignedMessage(body: Array(storedBody), headers: [:])
        intake.forwards = partners.map {
            Intake.Forward(
                partner: $0, routingKey: Configuration.partnerRoutingKey(partner: $0, kind: event.kind.rawValue), body: original.body,
                headers: original.headers)
        }
        // The cooperators' counts: the stay's request has its own line.
        let planned = rows.deliveries.reduce(into: [Channel: Int]()) { $0[$1.planned.channel, default: 0] += 1 }
        if let shelter {
            let stayRows = try shelterRows(shelter, deadline: deadline)
            intake.notices += stayRows.notices
            intake.deliveries += stayRows.deliveries
            intake.shelterStay = (shelter.stay, try JSONEncoder().encode(shelter.request))
        }
        return (
            .record(intake),
            Decided(
                decision: .recorded(
                    caseID: event.caseID, sequence: event.sequence, kind: held ? "held" : event.kind.rawValue, planned: planned,
                    cancelled: 0, reach: plan.reach),
                shelter: shelter)
        )
    }

    /// A stay's notices (one per channel its deliveries use) and deliveries as ledger rows.
    public static func shelterRows(_ plan: ShelterPlan, deadline: Duration) throws -> (
        notices: [Intake.Notice], deliveries: [Intake.Delivery]
    ) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var notices: [Intake.Notice] = []
        for notice in plan.notices {
            let content = try encoder.encode(notice)
            let channels = Set(plan.deliveries.filter { notice.matches($0.planned) }.map(\.planned.channel))
            for channel in channels.sorted(by: { $0.rawValue < $1.rawValue }) {
                notices.append(Intake.Notice(revision: notice.revision, kind: notice.kind, channel: channel, content: content))
            }
        }
        let seconds = deadline.inSeconds
        let deliveries = plan.deliveries.map {
            Intake.Delivery($0.planned, address: $0.address, deadline: $0.planned.notBefore.addingTimeInterval(seconds))
        }
        return (notices, deliveries)
    }

    /// A closure's request: the person as the case last described them (the closure may carry
    /// no person), and the registration that names. A stored body that no longer decodes leaves
    /// the form's person fields for the facility to fill in, with one line saying so.
    func shelterRequest(for event: CaseEvent, shelter: CaseEvent.Shelter) async throws(LedgerError) -> ShelterRequest {
        var described: CaseEvent? = event.person == nil ? nil : event
        if described == nil, let body = try await ledger.latestDescription(case: event.caseID) {
            described = try? CaseEvent.decode(body, limits: limits)
            if described == nil {
                logger.warning(
                    "shelter.no-description",
                    metadata: .keys([
                        .case: "\(event.caseID)", .seq: "\(event.sequence)", .reason: "the case's last description does not decode",
                    ]))
            }
        }
        var registration: Registration?
        if let described { registration = await self.registration(for: described) }
        return ShelterRequest(person: described?.person, shelter: shelter, registration: registration)
    }

    /// Ids, days and counts of the closure's stay: never the person, the approving official or
    /// the body that protected them.
    func logShelter(_ plan: ShelterPlan) {
        let stay = plan.stay
        if let reason = stay.holdReason {
            logger.warning(
                "shelter.held",
                metadata: .keys([
                    .case: "\(stay.caseID)", .facility: .string(stay.facilityID), .days: "\(stay.days)", .reason: .string(reason.rawValue),
                ]))
            return
        }
        logger.info(
            "shelter.requested",
            metadata: .keys([
                .case: "\(stay.caseID)", .facility: .string(stay.facilityID), .days: "\(stay.days)",
                .fax: "\(plan.deliveries.count - plan.staffCopies)", .staff: "\(plan.staffCopies)",
            ]))
        if plan.staffCopies == 0 {
            logger.warning(
                "shelter.no-staff-copy",
                metadata: .keys([.case: "\(stay.caseID)", .reason: "no staff: section: the staff get no copy of the request"]))
        }
    }

    /// The plan as ledger rows: one notice per (revision, kind, channel), deliveries with the
    /// address to use. A recipient that holds data on a channel the directory no longer has for
    /// it (it left, or moved from FAX to email) is still reached there, at the address its data
    /// went to.
    static func ledgerRows(
        _ plan: DeliveryPlan, planner: Planner, heldAddresses: [HoldingRecipient], deadline: Duration,
        confirmations: ConfirmationSigner?
    ) throws -> (notices: [Intake.Notice], deliveries: [Intake.Delivery]) {
        var held: [RecipientID: [Channel: String]] = [:]
        for holder in heldAddresses { held[holder.recipient, default: [:]][holder.channel] = holder.address }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var notices: [Intake.Notice] = []
        var stored = Set<String>()
        var deliveries: [Intake.Delivery] = []
        deliveries.reserveCapacity(plan.deliveries.count)
        for delivery in plan.deliveries {
            let key = "\(delivery.revision)/\(delivery.kind.rawValue)/\(delivery.channel.rawValue)"
            if !stored.contains(key), let notice = plan.notice(for: delivery) {
                notices.append(
                    Intake.Notice(
                        revision: delivery.revision, kind: delivery.kind, channel: delivery.channel,
                        content: try encoder.encode(notice)))
                stored.insert(key)
            }
            let address: String
            if delivery.channel == .radio {
                address = "radio"
            } else if let cooperator = planner.directory[delivery.recipient], cooperator.channel == delivery.channel {
                address = cooperator.address
            } else if let address_ = held[delivery.recipient]?[delivery.channel] {
                address = address_
            } else {
                continue
            }
            let seconds = deadline.inSeconds
            deliveries.append(
                Intake.Delivery(
                    delivery, address: address, deadline: delivery.notBefore.addingTimeInterval(seconds),
                    confirmation: confirmations?.code(for: delivery)))
        }
        return (notices, deliveries)
    }

    static func corruptState(_ caseID: CaseID) -> LedgerError {
        LedgerError(
            code: .corrupt, isRetriable: false,
            operatorHint:
                "the ledger holds a case state this version cannot read; restore the ledger from backup or contact the maintainers",
            message: "case state of \(caseID) does not decode")
    }

    /// The case id (or a concern's report id) of a message we cannot decode, for the one log
    /// line an operator reads; only when it has the shape of a case id (never anything else
    /// from the body).
    public static func peekCaseID(_ body: [UInt8]) -> CaseID? {
        guard body.count <= 4 << 20,
            let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) as? [String: Any],
            let text = (object["caseId"] ?? object["reportId"]) as? String, CaseID.isValid(text)
        else { return nil }
        return CaseID(text)
    }
}

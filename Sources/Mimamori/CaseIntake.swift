import Foundation
import Synchronization
import Ledger
import Logging
import MimamoriCore

/// From one broker message to one ledger transaction: verify, decode, run the case state machine
/// and the planner, record. It answers what to do with the message; the consumer loop does it
/// (ack only after the commit this returns from).
///
/// Intake is sequential (one message at a time) so that the case state it reads before the
/// transaction is the state the transaction replaces.
public struct CaseIntake: Sendable {
    /// What to do with the broker message.
    public enum Decision: Sendable, Equatable {
        /// The event's consequences are committed: ack.
        case recorded(caseID: CaseID, sequence: Int, kind: String, planned: [Channel: Int], cancelled: Int, reach: Reach)
        /// Nothing to do, and nothing will ever be (repeat, stale): ack.
        case ignored(caseID: CaseID?, reason: String)
        /// Input that can never succeed: dead-letter with this reason.
        case rejected(caseID: CaseID?, reason: String)
    }

    /// The settings the intake works with; replaced as a whole on SIGHUP.
    public struct Settings: Sendable {
        public var configuration: Configuration
        public var planner: Planner
        public var publisherKeys: PublisherKeys
        /// Directory rows the settings in force left out (`/healthz` is degraded while any are).
        public var refusedRows = 0

        public init(files: SettingsFiles) {
            configuration = files.configuration
            planner = Planner(configuration: files.configuration, directory: files.directory, templates: files.templates)
            publisherKeys = files.publisherKeys
            refusedRows = files.refusedRows.count
        }

        public init(configuration: Configuration, planner: Planner, publisherKeys: PublisherKeys) {
            self.configuration = configuration
            self.planner = planner
            self.publisherKeys = publisherKeys
        }
    }

    public let ledger: any IntakeStore
    public var limits: CaseEvent.Limits
    let logger: Logger

    public init(ledger: any IntakeStore, limits: CaseEvent.Limits = .default, logger: Logger = Logger(label: "mimamori.intake")) {
        self.ledger = ledger
        self.limits = limits
        self.logger = logger
    }

    /// Decides and, for an accepted event, records. Throws only `LedgerError`: the message must
    /// then stay unacked (the ledger could not take it; nothing about the message is wrong).
    public func process(
        body: [UInt8], headers: [String: String], transportMessageID: String?, settings: Settings, now: Date
    ) async throws(LedgerError) -> Decision {
        let decision = try await decide(body: body, headers: headers, transportMessageID: transportMessageID, settings: settings, now: now)
        switch decision {
        case .recorded: break
        case .ignored(let caseID, let reason):
            try await ledger.recordIgnored(messageID: transportMessageID ?? "-", caseID: caseID, reason: reason, at: now)
        case .rejected(let caseID, let reason):
            try await ledger.recordRejected(messageID: transportMessageID, caseID: caseID, reason: reason, at: now)
        }
        return decision
    }

    private func decide(
        body: [UInt8], headers: [String: String], transportMessageID: String?, settings: Settings, now: Date
    ) async throws(LedgerError) -> Decision {
        // Size first: nothing else is worth doing on a body the schema forbids.
        if body.count > limits.maxBodyBytes {
            let error = CaseEventError.oversized(bytes: body.count, limit: limits.maxBodyBytes)
            return .rejected(caseID: Self.peekCaseID(body), reason: error.reason)
        }
        var signedBy: String?
        if settings.configuration.publishers.requireSignature {
            do {
                signedBy = try settings.publisherKeys.verify(body: body, headers: headers)
            } catch {
                return .rejected(caseID: Self.peekCaseID(body), reason: error.reason)
            }
        }
        let decoded: CaseEvent
        do {
            decoded = try CaseEvent.decode(body, limits: limits)
        } catch {
            return .rejected(caseID: Self.peekCaseID(body), reason: error.reason)
        }
        // Before any notice is planned from it: a photo no notice may use is left out here, and
        // the one kept is turned upright and stripped of its metadata.
        let photoIntake = PhotoIntake(decoded)
        let event = photoIntake.event
        if let signedBy, !settings.publisherKeys.mayKey(signedBy, signFor: event.municipality) {
            return .rejected(caseID: event.caseID, reason: PublisherKeys.wrongTownReason)
        }

        let prior: CaseState?
        if let stored = try await ledger.caseSnapshot(case: event.caseID) {
            if stored.purgedAt != nil {
                // The state went with the personal data at the end of the retention; a purged
                // case stays closed for good (a replay of its alert must not alert again).
                guard event.municipality == settings.configuration.municipality else {
                    return .rejected(caseID: event.caseID, reason: CaseState.RejectReason.otherMunicipality.code)
                }
                let repeated = try await ledger.knowsMessage(event.messageID.uuidString.lowercased())
                let reason: CaseState.IgnoreReason = repeated ? .repeatedMessage : .afterClosure(phase: .purged)
                return .ignored(caseID: event.caseID, reason: reason.code)
            }
            do {
                prior = try stored.snapshot.decode(CaseState.self)
            } catch {
                throw Self.corruptState(event.caseID)
            }
        } else {
            prior = nil
        }

        // A first pass without the delivery history tells whether the event is taken at all and
        // what the new state is; the history only shapes the plan, which the ledger asks for
        // inside its transaction (so no delivery can change hands in between).
        var next = prior
        let planner = settings.planner
        let firstPass = CaseState.receive(event, state: &next, context: .init(planner: planner, now: now))
        var cancelKinds: Set<NoticeKind> = []
        var held = false
        for action in firstPass {
            switch action {
            case .reject(let reason): return .rejected(caseID: event.caseID, reason: reason.code)
            case .ignore(let reason): return .ignored(caseID: event.caseID, reason: reason.code)
            case .cancelPending(_, let kinds): cancelKinds.formUnion(kinds)
            case .plan: break
            case .hold: held = true
            }
        }
        guard let next else { return .ignored(caseID: event.caseID, reason: "case.no-state") }

        let snapshot: CaseSnapshot
        do {
            snapshot = try CaseSnapshot(name: next.phase.rawValue, encoding: next, closedAt: next.closedAt)
        } catch {
            throw Self.corruptState(event.caseID)
        }
        var intake = Intake(
            messageID: event.messageID.uuidString.lowercased(), caseID: event.caseID,
            municipality: event.municipality, drill: event.drill, sequence: event.sequence,
            eventKind: event.kind.rawValue, receivedAt: now, body: photoIntake.storedBody(original: body, decoded: decoded, limits: limits), state: snapshot,
            cancelKinds: cancelKinds)
        intake.alarms = Self.heldAlarms(held: held, newCase: prior == nil)
        let deadline = settings.configuration.retry.deadline
        let counts = PlannedCounts()
        let outcome = try await ledger.recordIntake(intake) { holders in
            var state = prior
            let history = DeliveryHistory(
                personalDataRecipients: Dictionary(
                    holders.recipients.map { ($0.recipient, $0.channel) }, uniquingKeysWith: { first, _ in first }),
                radioAnnounced: holders.radioAnnounced)
            let actions = CaseState.receive(event, state: &state, context: .init(planner: planner, history: history, now: now))
            var plan = DeliveryPlan()
            for case .plan(let p) in actions {
                plan.deliveries += p.deliveries
                plan.notices += p.notices
                plan.reach = p.reach
            }
            let heldAddresses = Dictionary(
                holders.recipients.map { ($0.recipient, $0.address) }, uniquingKeysWith: { first, _ in first })
            let rows = try Self.ledgerRows(plan, planner: planner, heldAddresses: heldAddresses, deadline: deadline)
            counts.set(rows.deliveries.reduce(into: [:]) { $0[$1.planned.channel, default: 0] += 1 }, reach: plan.reach)
            return rows
        }
        switch outcome {
        case .duplicate:
            return .ignored(caseID: event.caseID, reason: "case.repeated-message")
        case .recorded(_, let cancelled):
            if let problem = event.photoLeftOut {
                logger.warning("photo.left-out", metadata: .keys([.case: "\(event.caseID)", .seq: "\(event.sequence)", .reason: "\(problem.code)"]))
            }
            if photoIntake.notUpright {
                logger.warning("photo.not-upright", metadata: .keys([.case: "\(event.caseID)", .seq: "\(event.sequence)"]))
            }
            return .recorded(
                caseID: event.caseID, sequence: event.sequence, kind: held ? "held" : event.kind.rawValue, planned: counts.value,
                cancelled: cancelled, reach: counts.reach)
        }
    }

    /// The plan as ledger rows: one notice per (revision, kind, channel), deliveries with the
    /// address to use. A recipient that holds data but left the directory since is still
    /// reached at the address its data went to.
    static func ledgerRows(
        _ plan: DeliveryPlan, planner: Planner, heldAddresses: [RecipientID: String], deadline: Duration
    ) throws -> Ledger.HolderPlan {
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
            } else if let cooperator = planner.directory[delivery.recipient] {
                address = cooperator.address
            } else if let held = heldAddresses[delivery.recipient] {
                address = held
            } else {
                continue
            }
            let seconds = Double(deadline.components.seconds)
            deliveries.append(Intake.Delivery(delivery, address: address, deadline: delivery.notBefore.addingTimeInterval(seconds)))
        }
        return (notices, deliveries)
    }

    /// A case held as stale raises its alarms once, when it is first held (an update of a held
    /// case replaces what is held without a second alarm).
    static func heldAlarms(held: Bool, newCase: Bool) -> [CaseAlarm.Kind] {
        held && newCase ? [.heldStale] : []
    }

    static func corruptState(_ caseID: CaseID) -> LedgerError {
        LedgerError(
            code: .corrupt, isRetriable: false,
            operatorHint: "the ledger holds a case state this version cannot read; restore the ledger from backup or contact the maintainers",
            message: "case state of \(caseID) does not decode")
    }

    /// The case id of a message we cannot decode, for the one log line an operator reads; only
    /// when it has the shape of a case id (never anything else from the body).
    public static func peekCaseID(_ body: [UInt8]) -> CaseID? {
        guard body.count <= 4 << 20,
            let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) as? [String: Any],
            let text = object["caseId"] as? String, CaseID.isValid(text)
        else { return nil }
        return CaseID(text)
    }
}

/// The per-channel counts and the reach the planning closure saw, for the intake's log line.
private final class PlannedCounts: Sendable {
    private let counts = Mutex<([Channel: Int], Reach)>(([:], Reach()))
    func set(_ value: [Channel: Int], reach: Reach) { counts.withLock { $0 = (value, reach) } }
    var value: [Channel: Int] { counts.withLock { $0.0 } }
    var reach: Reach { counts.withLock { $0.1 } }
}

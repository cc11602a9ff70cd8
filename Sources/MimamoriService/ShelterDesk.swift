import Foundation
import Ledger
import MimamoriCore

/// The staff's side of an emergency temporary stay (`mimamori shelter send|extend|end|request`):
/// each step is decided by the core (`ShelterStay`, `Planner`) from the stay as the ledger holds
/// it, and written in one ledger transaction with its notices and deliveries, checked against
/// the stay as it was read. The running daemon's dispatcher sends them at its next look, as it
/// does for `mimamori resend` and `release`.
public enum ShelterDesk {
    /// What a step wrote: the stay now, and what goes out (to the facility, the staff's copies).
    public struct Outcome: Sendable {
        public var stay: ShelterStay
        public var facilityFaxes: Int
        public var staffCopies: Int
        /// When the facility's destruction reminder goes (`end`).
        public var reminderAt: Date?
    }

    /// The ledger roles a step plays against.
    public typealias Store = ShelterStore & IntakeStore

    /// `send`: a held request goes, to the facility the staff name (or the closure's), approved
    /// by `approvedBy` when the stay is longer than 2 days.
    public static func send(
        _ caseID: CaseID, facilityID: String?, approvedBy: String?, by login: String, ledger: any Store, settings: CaseIntake.Settings,
        now: Date
    ) async throws -> Outcome {
        let (stored, request) = try await read(caseID, ledger: ledger)
        let plan = try settings.planner.shelterSend(stored.stay, request: request, facilityID: facilityID, approvedBy: approvedBy, now: now)
        return try await write(
            plan, from: stored.stay, event: "shelter.sent",
            detail: "facility=\(plan.stay.facilityID) days=\(plan.stay.days) approved=\(plan.stay.approvedBy == nil ? "no" : "yes")",
            by: login, ledger: ledger, settings: settings, now: now)
    }

    /// `extend`: the amended request with the new period.
    public static func extend(
        _ caseID: CaseID, by days: Int, approvedBy: String?, by login: String, ledger: any Store, settings: CaseIntake.Settings, now: Date
    ) async throws -> Outcome {
        let (stored, request) = try await read(caseID, ledger: ledger)
        let plan = try settings.planner.shelterExtend(stored.stay, request: request, by: days, approvedBy: approvedBy, now: now)
        return try await write(
            plan, from: stored.stay, event: "shelter.extended",
            detail: "facility=\(plan.stay.facilityID) days=\(plan.stay.days) amendment=\(plan.stay.amendments)",
            by: login, ledger: ledger, settings: settings, now: now)
    }

    /// `end`: the stay is over; the facility gets its destruction reminder the next morning.
    public static func end(
        _ caseID: CaseID, by login: String, ledger: any Store, settings: CaseIntake.Settings, now: Date
    ) async throws -> Outcome {
        let (stored, request) = try await read(caseID, ledger: ledger)
        let plan = try settings.planner.shelterEnd(stored.stay, request: request, now: now)
        var outcome = try await write(
            plan, from: stored.stay, event: "shelter.ended", detail: "facility=\(plan.stay.facilityID) days=\(plan.stay.days)",
            by: login, ledger: ledger, settings: settings, now: now)
        outcome.reminderAt = plan.deliveries.first?.planned.notBefore
        return outcome
    }

    /// `request FILE`: a person protected with no case (取り扱い第2条第2項) gets a record of its
    /// own, a closed case row of the schema `mimamori.shelter/1`, so its deliveries, reminders and
    /// purge are a case's. The file's text is the record's event (personal data, purged with it).
    public static func request(
        _ parsed: ShelterRequestFile.Parsed, registration: Registration?, file: Data, id caseID: CaseID, by login: String,
        ledger: any Store, settings: CaseIntake.Settings, now: Date
    ) async throws -> Outcome {
        let configuration = settings.configuration
        switch ShelterStay.holdReason(
            facilityID: parsed.facilityID, days: parsed.days, approvedBy: parsed.approvedBy, settings: configuration.shelter)
        {
        case .notConfigured?: throw ShelterError.notConfigured
        case .unknownFacility?:
            throw ShelterError.unknownFacility(parsed.facilityID, known: configuration.shelter?.facilities.map(\.id) ?? [])
        case .needsApproval?: throw ShelterError.approvalNeeded(days: parsed.days)
        case nil: break
        }
        let stay = ShelterStay(
            caseID: caseID, facilityID: parsed.facilityID, startsOn: parsed.from ?? JapaneseCalendar.localDate(of: now),
            days: parsed.days, approvedBy: parsed.approvedBy, state: .sent, revision: 1, drill: parsed.drill)
        let request = registration.map { parsed.request.filled(from: $0) } ?? parsed.request
        let plan = settings.planner.shelterRequest(stay, request: request, now: now)
        let rows = try CaseIntake.shelterRows(plan, deadline: configuration.retry.deadline)
        var intake = Intake(
            messageID: UUID().uuidString.lowercased(), caseID: caseID, municipality: configuration.municipality, drill: parsed.drill,
            sequence: 1, eventKind: "requested", receivedAt: now, body: file,
            state: try CaseSnapshot(name: CaseState.Phase.closed.rawValue, encoding: stay, closedAt: now), notices: rows.notices,
            deliveries: rows.deliveries)
        intake.schema = ShelterStay.recordSchema
        intake.shelterStay = (stay, try JSONEncoder().encode(request))
        intake.recordedBy = login
        guard case .recorded = try await ledger.recordIntake(intake) else {
            throw ShelterError.notFound(caseID)
        }
        return Outcome(stay: stay, facilityFaxes: plan.deliveries.count - plan.staffCopies, staffCopies: plan.staffCopies)
    }

    static func read(_ caseID: CaseID, ledger: any Store) async throws -> (StoredStay, ShelterRequest) {
        guard let stored = try await ledger.stay(case: caseID) else { throw ShelterError.notFound(caseID) }
        guard let form = stored.form else { throw ShelterError.purged(caseID) }
        return (stored, try JSONDecoder().decode(ShelterRequest.self, from: form))
    }

    // Not inlined into its callers: there, Swift 6.3.1's optimiser crashes splitting the async
    // function (LLVM's CoroSplit, `swift build -c release`).
    @inline(never)
    static func write(
        _ plan: ShelterPlan, from: ShelterStay, event: String, detail: String, by login: String, ledger: any Store,
        settings: CaseIntake.Settings, now: Date
    ) async throws -> Outcome {
        let rows = try CaseIntake.shelterRows(plan, deadline: settings.configuration.retry.deadline)
        let faxes = plan.deliveries.count - plan.staffCopies
        try await ledger.recordShelterChange(
            ShelterChange(
                stay: plan.stay, fromState: from.state, fromRevision: from.revision, notices: rows.notices, deliveries: rows.deliveries,
                event: event, detail: detail + " fax=\(faxes) staff=\(plan.staffCopies)", by: login),
            at: now)
        return Outcome(stay: plan.stay, facilityFaxes: faxes, staffCopies: plan.staffCopies)
    }
}

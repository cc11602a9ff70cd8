import Foundation
import Ledger
import MimamoriCore

/// `mimamori release CASE`: the staff decided that a held alert is genuine (it waited behind an
/// outage, not a replay). Plans its alert as the intake would have, in one ledger transaction;
/// the running daemon's dispatcher sends it.
public enum CaseRelease {
    public enum Outcome: Sendable {
        case released(planned: [Channel: Int], reach: Reach)
        /// The case is unknown, or not held (already released, closed, or never held).
        case notHeld(state: String?)
    }

    public static func release(_ caseID: CaseID, ledger: any IntakeStore, settings: CaseIntake.Settings, now: Date) async throws -> Outcome
    {
        guard let held = try await ledger.heldCase(caseID) else {
            return .notHeld(state: try await ledger.caseSnapshot(case: caseID)?.snapshot.name)
        }
        var state = try held.stored.snapshot.decode(CaseState.self)
        // Stored cleaned; a body a previous version stored with the photo as sent is cleaned here.
        let event = PhotoIntake(try CaseEvent.decode(held.body)).event
        let context = CaseState.Context(planner: settings.planner, now: now)
        guard let plan = state.release(event, context: context) else { return .notHeld(state: state.phase.rawValue) }
        let rows = try CaseIntake.ledgerRows(
            plan, planner: settings.planner, heldAddresses: [], deadline: settings.configuration.retry.deadline)
        let snapshot = try CaseSnapshot(name: state.phase.rawValue, encoding: state, closedAt: state.closedAt)
        _ = try await ledger.recordRelease(
            caseID, sequence: held.stored.lastSequence, state: snapshot, notices: rows.notices, deliveries: rows.deliveries, at: now)
        let planned = rows.deliveries.reduce(into: [Channel: Int]()) { $0[$1.planned.channel, default: 0] += 1 }
        return .released(planned: planned, reach: plan.reach)
    }
}

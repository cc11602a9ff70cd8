import Foundation
import Ledger
import MimamoriCore

/// `mimamori release CASE`: the staff decided that a held alert is genuine (it waited behind an
/// outage, not a replay). Plans its alert as the intake would have, in one ledger transaction;
/// the running daemon's dispatcher sends it.
public enum CaseRelease {
    public enum Outcome: Sendable {
        case released(planned: [Channel: Int], reach: Reach, registry: RegistryUse = .none)
        /// The case is unknown, or not held (already released, closed, or never held).
        case notHeld(state: String?)
    }

    /// Whether the released alert used the registration its event names.
    public enum RegistryUse: Sendable, Equatable {
        /// The event names no registration.
        case none
        /// Filled from it, and the registry's `merged` audit row written (`auditFailed`: the
        /// alert is planned, but the row could not be written).
        case merged(CaseEvent.RegistryAdditions, auditFailed: Bool)
        /// Named, but not to be had (no registry, not in it, unreadable: the code says which):
        /// the alert carries the event's own data.
        case unavailable(code: String)
    }

    /// `registry`: the families' registrations, so that the alert is completed from the one its
    /// event names as the intake would have completed it; nil when the settings have none.
    public static func release(
        _ caseID: CaseID, ledger: any IntakeStore, settings: CaseIntake.Settings, registry: Registry? = nil,
        confirmations: ConfirmationSigner? = nil, now: Date
    ) async throws -> Outcome {
        guard let held = try await ledger.heldCase(caseID) else {
            return .notHeld(state: try await ledger.caseSnapshot(case: caseID)?.snapshot.name)
        }
        var state = try held.stored.snapshot.decode(CaseState.self)
        // Stored cleaned; a body a previous version stored with the photo as sent is cleaned here.
        let checked = PhotoIntake(try CaseEvent.decode(held.body)).event
        let (event, use) = await completed(checked, registry: registry)
        let context = CaseState.Context(planner: settings.planner, now: now)
        guard let plan = state.release(event, context: context) else { return .notHeld(state: state.phase.rawValue) }
        let rows = try CaseIntake.ledgerRows(
            plan, planner: settings.planner, heldAddresses: [], deadline: settings.configuration.retry.deadline,
            confirmations: confirmations)
        let snapshot = try CaseSnapshot(name: state.phase.rawValue, encoding: state, closedAt: state.closedAt)
        _ = try await ledger.recordRelease(
            caseID, sequence: held.stored.lastSequence, state: snapshot, notices: rows.notices, deliveries: rows.deliveries, at: now)
        let planned = rows.deliveries.reduce(into: [Channel: Int]()) { $0[$1.planned.channel, default: 0] += 1 }
        guard let registry, let additions = event.registryAdditions else {
            return .released(planned: planned, reach: plan.reach, registry: use)
        }
        var auditFailed = false
        do {
            try await registry.store.recordRegistryAudit(
                RegistryAuditEntry(
                    action: "merged", registrationID: additions.registrationID, at: now, by: "mimamori release", reason: "\(caseID)"))
        } catch {
            auditFailed = true
        }
        return .released(planned: planned, reach: plan.reach, registry: .merged(additions, auditFailed: auditFailed))
    }

    /// The held event completed from its registration (`CaseEvent.filled(from:)`), as the intake does.
    static func completed(_ event: CaseEvent, registry: Registry?) async -> (CaseEvent, RegistryUse) {
        guard let text = event.person?.registrationID else { return (event, .none) }
        guard RegistrationID.isValid(text) else { return (event, .unavailable(code: "registry.unknown-id")) }
        guard let registry else { return (event, .unavailable(code: "registry.not-enabled")) }
        do {
            guard let registration = try await registry.registration(RegistrationID(text)) else {
                return (event, .unavailable(code: "registry.unknown-id"))
            }
            let filled = event.filled(from: registration)
            return (filled, .merged(filled.registryAdditions ?? .init(registrationID: registration.id), auditFailed: false))
        } catch {
            return (event, .unavailable(code: error.code))
        }
    }
}

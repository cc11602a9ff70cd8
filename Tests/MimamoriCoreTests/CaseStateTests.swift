import Foundation
import Testing

@testable import MimamoriCore

@Suite("CaseState transitions")
struct CaseStateTests {
    func context(_ history: DeliveryHistory = .none, now: Date = Sample.now) throws -> CaseState.Context {
        CaseState.Context(planner: try Sample.planner(), history: history, now: now)
    }

    func opened() throws -> (CaseState?, [CaseState.Action]) {
        var state: CaseState?
        let actions = CaseState.receive(try Sample.opened(), state: &state, context: try context())
        return (state, actions)
    }

    func isPlan(_ actions: [CaseState.Action]) -> DeliveryPlan? {
        for case .plan(let plan) in actions { return plan }
        return nil
    }

    @Test func openingPlansTheAlert() throws {
        let (state, actions) = try opened()
        #expect(state?.phase == .opened && state?.lastSequence == 1)
        #expect(isPlan(actions)?.deliveries.allSatisfy { $0.kind == .alert } == true)
    }

    @Test func repeatedMessageIsANoOp() throws {
        var (state, _) = try opened()
        let before = state
        let actions = CaseState.receive(try Sample.opened(), state: &state, context: try context())
        #expect(actions == [.ignore(reason: .repeatedMessage)])
        #expect(state == before)
    }

    @Test func staleSequenceIsIgnoredWithAReason() throws {
        var (state, _) = try opened()
        _ = CaseState.receive(try Sample.event(sequence: 3), state: &state, context: try context())
        let actions = CaseState.receive(try Sample.event(sequence: 2), state: &state, context: try context())
        #expect(actions == [.ignore(reason: .staleSequence(received: 2, last: 3))])
        #expect(CaseState.IgnoreReason.staleSequence(received: 2, last: 3).code == "case.stale-sequence")
        let again = CaseState.receive(try Sample.event(sequence: 3), state: &state, context: try context())
        #expect(again == [.ignore(reason: .staleSequence(received: 3, last: 3))])
    }

    @Test func aGapIsAcceptedBecauseEventsCarryFullState() throws {
        var (state, _) = try opened()
        let actions = CaseState.receive(try Sample.event(sequence: 5), state: &state, context: try context())
        #expect(isPlan(actions)?.deliveries.allSatisfy { $0.kind == .update && $0.revision == 5 } == true)
        #expect(actions.contains(.cancelPending(caseID: CaseID("KN-2026-0042"), kinds: [.alert, .update])))
        #expect(state?.skippedSequences == 3 && state?.phase == .updated)
    }

    @Test(arguments: [CaseEvent.Kind.updated, .closed])
    func eventsBeforeOpenedAreRejected(_ kind: CaseEvent.Kind) throws {
        var state: CaseState?
        let actions = CaseState.receive(try Sample.event(sequence: 2, kind: kind), state: &state, context: try context())
        #expect(actions == [.reject(reason: .unknownCase(kind: kind))])
        #expect(state == nil)
        #expect(CaseState.RejectReason.unknownCase(kind: kind).code == "case.unknown")
    }

    @Test func drillIsNeverMixed() throws {
        var (state, _) = try opened()
        let actions = CaseState.receive(try Sample.event(sequence: 2, drill: true), state: &state, context: try context())
        #expect(actions == [.reject(reason: .drillMismatch)])
        #expect(state?.lastSequence == 1)
    }

    @Test func otherMunicipalitiesAreRejected() throws {
        var event = try Sample.opened()
        event.municipality = "kainan"
        var state: CaseState?
        #expect(CaseState.receive(event, state: &state, context: try context()) == [.reject(reason: .otherMunicipality)])
    }

    @Test func closureCancelsPendingAndPlansTerminationAndReminders() throws {
        var (state, _) = try opened()
        let history = DeliveryHistory(personalDataRecipients: [RecipientID("mail-001"): [.email]], radioAnnounced: true)
        let closing = Sample.at("2026-11-27T19:15:00+09:00")
        let actions = CaseState.receive(try Sample.closed(), state: &state, context: try context(history, now: closing))
        #expect(actions.first == .cancelPending(caseID: CaseID("KN-2026-0042"), kinds: [.alert, .update]))
        let plan = try #require(isPlan(actions))
        #expect(
            plan.deliveries.map { "\($0.kind.rawValue):\($0.recipient)" }.sorted() == [
                "destruction-reminder:mail-001", "termination:mail-001", "termination:radio",
            ])
        #expect(state?.phase == .closed && state?.closedAt == closing)
        let later = CaseState.receive(try Sample.event(sequence: 4), state: &state, context: try context())
        #expect(later == [.ignore(reason: .afterClosure(phase: .closed))])
    }

    @Test func withdrawnConsentStopsNewNoticesButNotTheEnd() throws {
        var (state, _) = try opened()
        let withdrawn = try Sample.event(sequence: 2, consent: .withheld)
        let history = DeliveryHistory(personalDataRecipients: [RecipientID("fax-yasuragi"): [.fax]], radioAnnounced: true)
        let actions = CaseState.receive(withdrawn, state: &state, context: try context(history))
        #expect(actions == [.cancelPending(caseID: CaseID("KN-2026-0042"), kinds: [.alert, .update]), .plan(DeliveryPlan())])
        // Those who hold the data are still told the end and reminded to destroy it.
        let closing = CaseState.receive(
            try Sample.event(sequence: 3, kind: .closed, consent: .withheld), state: &state, context: try context(history))
        let plan = try #require(isPlan(closing))
        #expect(
            plan.deliveries.map { "\($0.kind.rawValue):\($0.recipient)" }.sorted() == [
                "destruction-reminder:fax-yasuragi", "termination:fax-yasuragi", "termination:radio",
            ])
    }

    @Test func aPurgedCaseStaysClosedForGood() throws {
        let planner = try Sample.planner()
        for (recorded, reason) in [(true, CaseState.IgnoreReason.repeatedMessage), (false, .afterClosure(phase: .purged))] {
            for event in [try Sample.opened(), try Sample.event(sequence: 9), try Sample.closed()] {
                var state: CaseState?
                let context = CaseState.Context(planner: planner, messageRecorded: recorded, purged: true, now: Sample.now)
                #expect(CaseState.receive(event, state: &state, context: context) == [.ignore(reason: reason)])
                #expect(state == nil)
            }
        }
        #expect(CaseState.IgnoreReason.afterClosure(phase: .purged).code == "case.after-closure")
        var event = try Sample.opened()
        event.municipality = "kainan"
        var state: CaseState?
        let context = CaseState.Context(planner: planner, messageRecorded: true, purged: true, now: Sample.now)
        #expect(CaseState.receive(event, state: &state, context: context) == [.reject(reason: .otherMunicipality)])
    }

    @Test func aMessageIDTheLedgerRecordedIsARepeatEvenForAnotherCase() throws {
        var (state, _) = try opened()
        let before = state
        let context = CaseState.Context(planner: try Sample.planner(), messageRecorded: true, now: Sample.now)
        #expect(CaseState.receive(try Sample.event(sequence: 2), state: &state, context: context) == [.ignore(reason: .repeatedMessage)])
        #expect(state == before)
        var unknown: CaseState?
        #expect(CaseState.receive(try Sample.opened(), state: &unknown, context: context) == [.ignore(reason: .repeatedMessage)])
        #expect(unknown == nil)
    }

    @Test func aRecipientHeldOnTwoChannelsIsToldTheEndOnBoth() throws {
        var (state, _) = try opened()
        let history = DeliveryHistory(personalDataRecipients: [RecipientID("mail-001"): [.email, .fax]])
        let actions = CaseState.receive(try Sample.closed(), state: &state, context: try context(history))
        let plan = try #require(isPlan(actions))
        #expect(
            plan.deliveries.map { "\($0.kind.rawValue):\($0.recipient):\($0.channel.rawValue)" }.sorted() == [
                "destruction-reminder:mail-001:email", "destruction-reminder:mail-001:fax",
                "termination:mail-001:email", "termination:mail-001:fax",
            ])
    }

    /// Who holds the data and whether the radio announced both ask this one table.
    @Test func possiblySentTable() {
        var possibly: [String] = []
        for state in DeliveryState.allCases {
            for attempts in [0, 1] {
                for code in [nil, "crash-loop", "smtp.550"] as [String?]
                where PossiblySent.includes(state, attempts: attempts, lastErrorCode: code) {
                    possibly.append("\(state.rawValue)/\(attempts)/\(code ?? "-")")
                }
            }
        }
        #expect(
            Set(possibly) == [
                "sending/0/-", "sending/0/crash-loop", "sending/0/smtp.550", "sending/1/-", "sending/1/crash-loop", "sending/1/smtp.550",
                "delivered/0/-", "delivered/0/crash-loop", "delivered/0/smtp.550", "delivered/1/-", "delivered/1/crash-loop",
                "delivered/1/smtp.550",
                "planned/1/-", "planned/1/crash-loop", "planned/1/smtp.550",
                "cancelled/1/-", "cancelled/1/crash-loop", "cancelled/1/smtp.550",
                "expired/1/-", "expired/1/crash-loop", "expired/1/smtp.550",
                "failed/0/crash-loop", "failed/1/crash-loop",
            ])
    }

    @Test func stateRoundTripsThroughJSON() throws {
        let s = try #require(try opened().0)
        #expect(try JSONDecoder().decode(CaseState.self, from: try JSONEncoder().encode(s)) == s)
    }

    /// The table: phase × event kind → outcome.
    @Test(arguments: [
        (CaseState.Phase.opened, CaseEvent.Kind.opened, "plan"),
        (.opened, .updated, "plan"),
        (.opened, .closed, "plan"),
        (.updated, .updated, "plan"),
        (.updated, .closed, "plan"),
        (.closed, .updated, "ignore"),
        (.closed, .closed, "ignore"),
        (.closed, .opened, "ignore"),
    ])
    func transitionTable(_ phase: CaseState.Phase, _ kind: CaseEvent.Kind, _ outcome: String) throws {
        var (state, _) = try opened()
        var sequence = 2
        if phase >= .updated {
            _ = CaseState.receive(try Sample.event(sequence: sequence), state: &state, context: try context())
            sequence += 1
        }
        if phase >= .closed {
            _ = CaseState.receive(try Sample.event(sequence: sequence, kind: .closed), state: &state, context: try context())
            sequence += 1
        }
        #expect(state?.phase == phase)
        let actions = CaseState.receive(try Sample.event(sequence: sequence, kind: kind), state: &state, context: try context())
        switch outcome {
        case "plan": #expect(isPlan(actions) != nil)
        default: #expect(actions.allSatisfy { if case .ignore = $0 { true } else { false } })
        }
    }
}

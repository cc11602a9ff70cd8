import Foundation
import Testing

@testable import MimamoriCore

/// An `opened` event too old to send (publishers.max-age) is held for the staff.
@Suite("CaseState: stale alerts are held")
struct CaseStateHoldTests {
    func context(now: Date) throws -> CaseState.Context {
        CaseState.Context(planner: try Sample.planner(), now: now)
    }

    /// The sample alert was issued at 16:00; two days later it is stale (max-age 24 h).
    static let twoDaysLater = Sample.now.addingTimeInterval(2 * 86400)

    @Test("an opened event older than max-age for an unknown case is held: no plan, phase held")
    func staleOpenedIsHeld() throws {
        var state: CaseState?
        let actions = CaseState.receive(try Sample.opened(), state: &state, context: try context(now: Self.twoDaysLater))
        guard case .hold(let reason) = actions.first, actions.count == 2 else {
            Issue.record("expected one hold and its alarm, got \(actions)")
            return
        }
        #expect(reason.code == "held.stale")
        #expect(actions[1] == .raise(.heldStale), "the staff and the operator are told when a case is first held")
        #expect(state?.phase == .held && state?.lastSequence == 1)
    }

    @Test("a fresh opened event is planned as always")
    func freshOpenedIsPlanned() throws {
        var state: CaseState?
        let actions = CaseState.receive(try Sample.opened(), state: &state, context: try context(now: Sample.now))
        #expect(actions.contains { if case .plan = $0 { true } else { false } })
        #expect(state?.phase == .opened)
    }

    @Test("an update of a held case stays held; its closure closes it and tells nobody; release plans the alert of the newest event")
    func laterEventsOfAHeldCase() throws {
        let now = Self.twoDaysLater
        var state: CaseState?
        _ = CaseState.receive(try Sample.opened(), state: &state, context: try context(now: now))
        let update = try Sample.event(sequence: 2)
        let actions = CaseState.receive(update, state: &state, context: try context(now: now))
        #expect(actions.count == 1 && { if case .hold = actions[0] { true } else { false } }(), "held again: no second alarm")
        #expect(state?.phase == .held && state?.lastSequence == 2)

        var released = state!
        let plan = try #require(released.release(update, context: try context(now: now)))
        #expect(!plan.deliveries.isEmpty && plan.deliveries.allSatisfy { $0.kind == .alert && $0.revision == 2 })
        #expect(released.phase == .opened)
        #expect(released.release(update, context: try context(now: now)) == nil, "a release happens once")

        let closure = CaseState.receive(try Sample.event(sequence: 3, kind: .closed), state: &state, context: try context(now: now))
        #expect(state?.phase == .closed)
        var planned: [PlannedDelivery] = []
        for case .plan(let p) in closure { planned += p.deliveries }
        #expect(planned.isEmpty, "nobody was told of the case: nobody is told of its end")
    }
}

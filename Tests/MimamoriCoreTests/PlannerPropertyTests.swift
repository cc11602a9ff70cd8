import Foundation
import PropertyBased
import Testing

@testable import MimamoriCore

/// The planner's invariants over random directories, consents and event histories, with a
/// simulated ledger that delivers some, all or none of each plan before the next event arrives.
@Suite("Planner invariants (property-based)")
struct PlannerPropertyTests {
    static let areas = ["下佐々", "野中", "神野市場"]

    /// A cooperator from a number: bit 0 channel, bits 1–2 active (3 in 4), bits 3–4 municipality
    /// (kainan 1 in 4), bits 5–7 the areas it watches.
    static func cooperator(_ index: Int, _ bits: Int) -> Cooperator {
        let channel: Channel = bits & 1 == 0 ? .fax : .email
        let id = "c\(index)"
        return Cooperator(
            id: RecipientID(id), name: "協力者\(index)", channel: channel,
            address: channel == .fax ? "+8173489\(1000 + index)" : "\(id)@example.jp",
            areas: areas.enumerated().filter { bits >> (5 + $0.offset) & 1 == 1 }.map(\.element),
            municipality: bits >> 3 & 3 == 3 ? "kainan" : "kimino",
            active: bits >> 1 & 3 != 0)
    }

    struct Outcome {
        var plans: [(event: CaseEvent, plan: DeliveryPlan)] = []
        /// Every alert/update delivery that the simulated outlets sent, by recipient.
        var sentPersonalData: [RecipientID: Set<Channel>] = [:]
        var radioAnnounced = false
        var anyCooperatorConsent = false
        var all: [PlannedDelivery] { plans.flatMap(\.plan.deliveries) }
    }

    /// Runs a case: opened, one update per step, closed. Step bits: 0–1 last-seen area,
    /// 2 radio consent, 3 photo consent, 4 withhold cooperator consent, 5 skip a sequence number,
    /// 6–7 how much of the plan is delivered before the next event (none, all, every other, all).
    static func run(consent: CaseEvent.Consent, drill: Bool, cooperators: [Int], steps: [Int]) throws -> Outcome {
        let directory = CooperatorDirectory(cooperators.enumerated().map { cooperator($0.offset, $0.element) })
        let planner = Planner(configuration: try Sample.configuration(), directory: directory)
        var outcome = Outcome()
        var state: CaseState?
        var sequence = 1
        var now = Sample.now
        var pending: [PlannedDelivery] = []
        var base = try Sample.opened()
        base.drill = drill
        base.consent = consent

        func deliver(_ deliveries: [PlannedDelivery], mode: Int) {
            for (i, d) in deliveries.enumerated() {
                let sent = mode == 1 || mode == 3 || (mode == 2 && i % 2 == 0)
                guard sent else {
                    pending.append(d)
                    continue
                }
                guard d.kind.carriesPersonalData else { continue }
                if d.channel == .radio {
                    outcome.radioAnnounced = true
                } else {
                    outcome.sentPersonalData[d.recipient, default: []].insert(d.channel)
                }
            }
        }
        func feed(_ event: CaseEvent, mode: Int) {
            if event.consent.cooperators { outcome.anyCooperatorConsent = true }
            let history = DeliveryHistory(personalDataRecipients: outcome.sentPersonalData, radioAnnounced: outcome.radioAnnounced)
            let actions = CaseState.receive(event, state: &state, context: .init(planner: planner, history: history, now: now))
            for action in actions {
                switch action {
                case .cancelPending(_, let kinds): pending.removeAll { kinds.contains($0.kind) }
                case .plan(let plan):
                    outcome.plans.append((event, plan))
                    deliver(plan.deliveries, mode: mode)
                case .ignore, .reject, .hold, .raise, .shelter, .forward: break
                }
            }
            now = now.addingTimeInterval(1800)
        }

        feed(base, mode: steps.first.map { $0 >> 6 } ?? 1)
        for step in steps {
            var e = base
            sequence += step >> 5 & 1 == 1 ? 2 : 1
            e.sequence = sequence
            e.kind = .updated
            e.messageID = UUID()
            e.lastSeen?.area = step & 3 == 0 ? nil : areas[(step & 3) - 1]
            e.consent.radio = consent.radio && step >> 2 & 1 == 1
            e.consent.photo = consent.photo && step >> 3 & 1 == 1
            e.consent.cooperators = consent.cooperators && step >> 4 & 1 == 0
            feed(e, mode: step >> 6)
        }
        var closed = base
        closed.sequence = sequence + 1
        closed.kind = .closed
        closed.messageID = UUID()
        closed.closure = .init(at: now, reason: .found)
        feed(closed, mode: 1)
        return outcome
    }

    static let consents = zip(Gen.bool, Gen.bool, Gen.bool, Gen.bool).map { c, r, p, t in
        CaseEvent.Consent(cooperators: c, radio: r, photo: p, partnerTowns: t)
    }
    static let directories = Gen.int(in: 0...255).array(of: 0...12)
    static let stepLists = Gen.int(in: 0...255).array(of: 0...4)

    @Test func neverRadioWithoutRadioConsent() async {
        await propertyCheck(count: 150, input: Self.consents, Gen.bool, Self.directories, Self.stepLists) { consent, drill, coops, steps in
            let outcome = try Self.run(consent: consent, drill: drill, cooperators: coops, steps: steps)
            for (event, plan) in outcome.plans where event.kind != .closed {
                #expect(event.consent.radio || !plan.deliveries.contains { $0.channel == .radio })
            }
            // Radio termination only if the radio actually announced.
            let radioEnd = outcome.all.contains { $0.kind == .termination && $0.channel == .radio }
            #expect(radioEnd == outcome.radioAnnounced)
        }
    }

    @Test func neverAPhotoWithoutPhotoConsent() async {
        await propertyCheck(count: 150, input: Self.consents, Gen.bool, Self.directories, Self.stepLists) { consent, drill, coops, steps in
            let outcome = try Self.run(consent: consent, drill: drill, cooperators: coops, steps: steps)
            for (event, plan) in outcome.plans {
                for notice in plan.notices where notice.photo != nil || notice.fax.photoAttached {
                    #expect(event.consent.photo && event.consent.cooperators && notice.kind.carriesPersonalData)
                }
            }
        }
    }

    @Test func neverATerminationToSomeoneNotAlerted() async {
        await propertyCheck(count: 150, input: Self.consents, Gen.bool, Self.directories, Self.stepLists) { consent, drill, coops, steps in
            let outcome = try Self.run(consent: consent, drill: drill, cooperators: coops, steps: steps)
            let terminated = outcome.all.filter { $0.kind == .termination && $0.channel != .radio }
            for d in terminated {
                #expect(
                    outcome.sentPersonalData[d.recipient]?.contains(d.channel) == true,
                    "termination to \(d.recipient) which was not sent the alert")
            }
            // …and everyone who was alerted is told the end.
            #expect(Set(terminated.map(\.recipient)) == Set(outcome.sentPersonalData.keys))
        }
    }

    @Test func exactlyOneDestructionReminderPerRecipientOfPersonalData() async {
        await propertyCheck(count: 150, input: Self.consents, Gen.bool, Self.directories, Self.stepLists) { consent, drill, coops, steps in
            let outcome = try Self.run(consent: consent, drill: drill, cooperators: coops, steps: steps)
            let reminders = outcome.all.filter { $0.kind == .destructionReminder }
            var count: [RecipientID: Int] = [:]
            for r in reminders { count[r.recipient, default: 0] += 1 }
            #expect(!count.keys.contains(.radio))
            #expect(Set(count.keys) == Set(outcome.sentPersonalData.keys))
            #expect(count.allSatisfy { $0.value == outcome.sentPersonalData[$0.key]?.count }, "one per recipient and channel")
            // Reminders wait for a business morning and carry no personal data.
            for r in reminders {
                #expect(JapaneseCalendar.isBusinessDay(JapaneseCalendar.localDate(of: r.notBefore)))
                #expect(JapaneseCalendar.timeOfDay(of: r.notBefore) == TimeOfDay(hour: 9, minute: 0))
            }
        }
    }

    @Test func nothingAtAllWithoutCooperatorConsent() async {
        let withheld = zip(Gen.bool, Gen.bool, Gen.bool).map { r, p, t in
            CaseEvent.Consent(cooperators: false, radio: r, photo: p, partnerTowns: t)
        }
        await propertyCheck(count: 150, input: withheld, Gen.bool, Self.directories, Self.stepLists) { consent, drill, coops, steps in
            let outcome = try Self.run(consent: consent, drill: drill, cooperators: coops, steps: steps)
            #expect(outcome.all.isEmpty)
            #expect(outcome.plans.allSatisfy { $0.plan.notices.isEmpty })
        }
    }

    @Test func deliveriesAlwaysHaveANoticeAndUniqueKeys() async {
        await propertyCheck(count: 100, input: Self.consents, Gen.bool, Self.directories, Self.stepLists) { consent, drill, coops, steps in
            let outcome = try Self.run(consent: consent, drill: drill, cooperators: coops, steps: steps)
            for (_, plan) in outcome.plans {
                #expect(plan.deliveries.allSatisfy { plan.notice(for: $0) != nil })
                #expect(plan.notices.allSatisfy { $0.drill == drill })
            }
            let keys = outcome.all.map(\.idempotencyKey)
            #expect(Set(keys).count == keys.count)
        }
    }
}

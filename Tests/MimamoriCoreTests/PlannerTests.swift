import Foundation
import Testing

@testable import MimamoriCore

@Suite("Planner")
struct PlannerTests {
    func ids(_ plan: DeliveryPlan, _ kind: NoticeKind) -> Set<String> {
        Set(plan.deliveries.filter { $0.kind == kind }.map(\.recipient.rawValue))
    }

    @Test func alertGoesToActiveCooperatorsOfTheAreaAndTheRadio() throws {
        let plan = try Sample.planner().alert(try Sample.opened(), now: Sample.now)
        // 下佐々: fax-nonaka (野中 only) and mail-003 (野中) are not asked; fax-old is inactive;
        // fax-kainan is another municipality (no partnerTowns consent).
        #expect(ids(plan, .alert) == ["fax-yasuragi", "fax-shimosasa", "mail-001", "mail-002", "radio"])
        #expect(plan.notices.count == 1 && plan.notices[0].kind == .alert)
        #expect(plan.deliveries.allSatisfy { plan.notice(for: $0) != nil })
        let fax = try #require(plan.deliveries.first { $0.recipient == RecipientID("fax-yasuragi") })
        #expect(fax.channel == .fax && fax.notBefore == Sample.now)
        #expect(fax.idempotencyKey == "KN-2026-0042.1.alert.fax.fax-yasuragi")
    }

    @Test func partnerTownsOnlyWithConsent() throws {
        var event = try Sample.opened()
        event.consent.partnerTowns = true
        #expect(ids(try Sample.planner().alert(event, now: Sample.now), .alert).contains("fax-kainan"))
    }

    @Test func noAreasKnownAsksEveryone() throws {
        var event = try Sample.opened()
        event.person?.residenceArea = nil
        event.lastSeen?.area = nil
        #expect(ids(try Sample.planner().alert(event, now: Sample.now), .alert).count == 7)  // 6 active kimino + radio
    }

    @Test func nothingWithoutCooperatorConsent() throws {
        var event = try Sample.opened()
        event.consent = .init(cooperators: false, radio: true, photo: true, partnerTowns: true)
        #expect(try Sample.planner().alert(event, now: Sample.now) == DeliveryPlan())
    }

    @Test func noRadioWithoutConsentOrWithoutRadioSettings() throws {
        var event = try Sample.opened()
        event.consent.radio = false
        #expect(!ids(try Sample.planner().alert(event, now: Sample.now), .alert).contains("radio"))
        var configuration = try Sample.configuration()
        configuration.radio = nil
        let planner = Planner(configuration: configuration, directory: try Sample.directory())
        #expect(!ids(planner.alert(try Sample.opened(), now: Sample.now), .alert).contains("radio"))
    }

    @Test(arguments: [
        ("2026-11-27T20:59:00+09:00", "2026-11-27T20:59:00+09:00"),
        ("2026-11-27T21:00:00+09:00", "2026-11-28T07:00:00+09:00"),
        ("2026-11-27T23:59:00+09:00", "2026-11-28T07:00:00+09:00"),
        ("2026-11-28T03:00:00+09:00", "2026-11-28T07:00:00+09:00"),
        ("2026-11-28T07:00:00+09:00", "2026-11-28T07:00:00+09:00"),
    ])
    func radioWaitsForTheEndOfQuietHours(_ now: String, _ expected: String) throws {
        let plan = try Sample.planner().alert(try Sample.opened(), now: Sample.at(now))
        let radio = try #require(plan.deliveries.first { $0.channel == .radio })
        #expect(radio.notBefore == Sample.at(expected))
        #expect(plan.deliveries.filter { $0.channel != .radio }.allSatisfy { $0.notBefore == Sample.at(now) })
    }

    @Test func broadcastPolicySendsAtNight() throws {
        var configuration = try Sample.configuration()
        configuration.radio?.quietHours.policy = .broadcast
        let planner = Planner(configuration: configuration, directory: try Sample.directory())
        let night = Sample.at("2026-11-27T23:30:00+09:00")
        #expect(planner.alert(try Sample.opened(), now: night).deliveries.first { $0.channel == .radio }?.notBefore == night)
    }

    @Test func updateReachesFormerRecipientsAndNewlyMatchingOnes() throws {
        var event = try Sample.opened()
        event.sequence = 2
        event.kind = .updated
        event.person?.residenceArea = nil
        event.lastSeen?.area = "野中"
        let history = DeliveryHistory(
            personalDataRecipients: [
                RecipientID("fax-shimosasa"): [.fax], RecipientID("fax-old"): [.fax], RecipientID("mail-001"): [.email],
            ],
            radioAnnounced: true)
        let plan = try Sample.planner().update(event, history: history, now: Sample.now)
        // 野中 now: fax-nonaka and mail-003 newly; fax-shimosasa because it holds the data;
        // fax-old left the network (inactive): nothing new for it.
        #expect(ids(plan, .update) == ["fax-yasuragi", "fax-nonaka", "fax-shimosasa", "mail-001", "mail-002", "mail-003", "radio"])
        #expect(plan.deliveries.allSatisfy { $0.revision == 2 })
    }

    @Test func closureTellsOnlyThoseWhoWereToldAndRemindsThemOnce() throws {
        let history = DeliveryHistory(
            personalDataRecipients: [RecipientID("fax-yasuragi"): [.fax], RecipientID("mail-002"): [.email]], radioAnnounced: false)
        let friday = Sample.at("2026-11-27T19:15:00+09:00")
        let plan = try Sample.planner().closure(
            caseID: CaseID("KN-2026-0042"), revision: 3, drill: false, history: history, documentsFrom: Sample.now,
            documentsTo: Sample.now, now: friday)
        #expect(ids(plan, .termination) == ["fax-yasuragi", "mail-002"])
        #expect(ids(plan, .destructionReminder) == ["fax-yasuragi", "mail-002"])
        #expect(plan.deliveries.count == 4)
        #expect(
            plan.deliveries.filter { $0.kind == .destructionReminder }.allSatisfy { $0.notBefore == Sample.at("2026-11-30T09:00:00+09:00") }
        )
        #expect(plan.deliveries.first { $0.recipient == RecipientID("mail-002") }?.channel == .email)
        #expect(Set(plan.notices.map(\.kind)) == [.termination, .destructionReminder])
    }

    @Test func radioEndsOnlyIfItAnnounced() throws {
        let planner = try Sample.planner()
        let announced = planner.closure(
            caseID: CaseID("X"), revision: 2, drill: false, history: DeliveryHistory(radioAnnounced: true),
            documentsFrom: Sample.now, documentsTo: Sample.now, now: Sample.now)
        #expect(announced.deliveries.map(\.recipient) == [.radio])
        #expect(announced.deliveries[0].kind == .termination)
        let silent = planner.closure(
            caseID: CaseID("X"), revision: 2, drill: false, history: .none, documentsFrom: Sample.now, documentsTo: Sample.now,
            now: Sample.now)
        #expect(silent == DeliveryPlan())
    }

    @Test func historyNeverCountsTheRadioAsADocumentHolder() {
        let history = DeliveryHistory(personalDataRecipients: [.radio: [.radio], RecipientID("a"): [.fax]])
        #expect(history.personalDataRecipients.keys.map(\.rawValue) == ["a"])
        #expect(history.radioAnnounced)
    }

    @Test func remindersFollowSettings() throws {
        var configuration = try Sample.configuration()
        configuration.reminders.businessDaysOnly = false
        configuration.reminders.destructionAt = TimeOfDay(hour: 10, minute: 30)
        let planner = Planner(configuration: configuration, directory: try Sample.directory())
        let plan = planner.closure(
            caseID: CaseID("X"), revision: 2, drill: false, history: DeliveryHistory(personalDataRecipients: [RecipientID("a"): [.fax]]),
            documentsFrom: Sample.now, documentsTo: Sample.now, now: Sample.at("2026-12-31T23:59:00+09:00"))
        #expect(plan.deliveries.first { $0.kind == .destructionReminder }?.notBefore == Sample.at("2027-01-01T10:30:00+09:00"))
    }
}

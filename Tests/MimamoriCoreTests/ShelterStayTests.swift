import Foundation
import Testing

@testable import MimamoriCore

/// 緊急一時保護の取り扱い: the stay's rules (第5条: 2 days, 7 with the town head's approval), its
/// steps (send, extend, end), the staff's morning reminder, and what a closure with `shelter`
/// plans: the request to the facility and the staff, never a termination or a case destruction
/// reminder to the facility.
@Suite("Shelter stays (緊急一時保護)")
struct ShelterStayTests {
    static let yasuragi = Configuration.Shelter.Facility(
        id: "yasuragi", name: "介護老人福祉施設やすらぎ園", fax: "073-489-5000", phone: "073-489-5001", address: "海草郡紀美野町下佐々1408番地7")

    static func configuration(staff: [String] = ["fukushi@town.example.jp", "kakari@town.example.jp"], shelter: Bool = true) throws
        -> Configuration
    {
        var c = try Sample.configuration()
        c.staff.emails = staff
        c.shelter = shelter ? Configuration.Shelter(facilities: [yasuragi]) : nil
        return c
    }

    static func planner(staff: [String] = ["fukushi@town.example.jp", "kakari@town.example.jp"], shelter: Bool = true) throws -> Planner {
        Planner(configuration: try configuration(staff: staff, shelter: shelter), directory: try Sample.directory())
    }

    static func stay(days: Int = 2, state: ShelterStay.State = .sent, approvedBy: String? = nil) -> ShelterStay {
        ShelterStay(
            caseID: CaseID("KN-0042"), facilityID: "yasuragi", startsOn: LocalDate(2026, 11, 27), days: days, approvedBy: approvedBy,
            state: state, revision: 3)
    }

    static let request = ShelterRequest(name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, age: 82, protectedBy: "海南警察署")

    // MARK: 第5条

    @Test("2 days need nothing; 3 to 7 need the town head's approval", arguments: 1...7)
    func approvalAfterTwoDays(days: Int) {
        #expect(ShelterStay.needsApproval(days: days) == (days > 2))
    }

    @Test("a closure's request waits without settings, for an unknown facility, or for more than 2 days unapproved; in that order")
    func holdReasons() {
        let settings = Configuration.Shelter(facilities: [Self.yasuragi])
        #expect(ShelterStay.holdReason(facilityID: "yasuragi", days: 7, approvedBy: nil, settings: nil) == .notConfigured)
        #expect(ShelterStay.holdReason(facilityID: "elsewhere", days: 7, approvedBy: nil, settings: settings) == .unknownFacility)
        #expect(ShelterStay.holdReason(facilityID: "yasuragi", days: 3, approvedBy: nil, settings: settings) == .needsApproval)
        #expect(ShelterStay.holdReason(facilityID: "yasuragi", days: 3, approvedBy: "町長", settings: settings) == nil)
        #expect(ShelterStay.holdReason(facilityID: "yasuragi", days: 2, approvedBy: nil, settings: settings) == nil)
    }

    @Test("the period counts its first day: 2 days from 11/30 end on 12/1, 3 from 12/30 on 1/1")
    func periodEnds() {
        var stay = Self.stay()
        stay.startsOn = LocalDate(2026, 11, 30)
        #expect(stay.endsOn == LocalDate(2026, 12, 1))
        stay.startsOn = LocalDate(2026, 12, 30)
        stay.days = 3
        #expect(stay.endsOn == LocalDate(2027, 1, 1))
        stay.startsOn = LocalDate(2028, 2, 28)
        stay.days = 2
        #expect(stay.endsOn == LocalDate(2028, 2, 29))
    }

    @Test("the decoder reads closure.shelter's protectedBy and approvedBy, and judges them as any text")
    func decoding() throws {
        func closed(_ shelter: [String: Any]) throws -> Data {
            var json = try Sample.json()
            json["kind"] = "closed"
            json["closure"] = ["at": "2026-11-27T19:05:00+09:00", "reason": "found", "shelter": shelter]
            return try Sample.bytes(json)
        }
        let event = try CaseEvent.decode(
            try closed(["facilityId": "yasuragi", "expectedDays": 7, "protectedBy": " 海南警察署 ", "approvedBy": "紀美野 太郎"]))
        #expect(
            event.closure?.shelter == CaseEvent.Shelter(facilityID: "yasuragi", expectedDays: 7, protectedBy: "海南警察署", approvedBy: "紀美野 太郎")
        )
        let plain = try CaseEvent.decode(try closed(["facilityId": "yasuragi", "expectedDays": 2, "approvedBy": NSNull()]))
        #expect(plain.closure?.shelter?.protectedBy == nil && plain.closure?.shelter?.approvedBy == nil)
        #expect(throws: CaseEventError.tooLong(field: "closure.shelter.protectedBy", limit: 100)) {
            try CaseEvent.decode(
                try closed(["facilityId": "yasuragi", "expectedDays": 2, "protectedBy": String(repeating: "署", count: 101)]))
        }
        #expect(throws: CaseEventError.controlCharacter(field: "closure.shelter.approvedBy")) {
            try CaseEvent.decode(try closed(["facilityId": "yasuragi", "expectedDays": 2, "approvedBy": "a\nb"]))
        }
        #expect(throws: CaseEventError.wrongType(field: "closure.shelter.approvedBy", expected: "string")) {
            try CaseEvent.decode(try closed(["facilityId": "yasuragi", "expectedDays": 2, "approvedBy": true]))
        }
        #expect(throws: CaseEventError.outOfRange(field: "closure.shelter.expectedDays")) {
            try CaseEvent.decode(try closed(["facilityId": "yasuragi", "expectedDays": 0]))
        }
    }

    @Test("shelter: settings: the facilities of 別表第1 with a loggable id, a FAX and a phone; remind-at")
    func settings() throws {
        let base = try Files.fixtureText("mimamori.yaml")
        let good = try Configuration.parse(
            yaml: base + """

                shelter:
                  facilities:
                    - { id: yasuragi, name: 介護老人福祉施設やすらぎ園, fax: 073-489-5000, phone: 073-489-5001 }
                  remind-at: "08:00"
                """)
        #expect(good.shelter?.facility("yasuragi")?.name == "介護老人福祉施設やすらぎ園" && good.shelter?.remindAt == TimeOfDay(hour: 8, minute: 0))
        do {
            _ = try Configuration.parse(
                yaml: base + """

                    shelter:
                      facilities:
                        - { id: Yasuragi, name: x, fax: 12, phone: 073-489-5001 }
                        - { id: Yasuragi, name: y, fax: 073-489-5000, phone: 073-489-5001 }
                    """)
            Issue.record("accepted")
        } catch {
            let paths = Set(error.problems.map(\.path))
            #expect(
                paths.isSuperset(of: ["shelter.facilities[0].id", "shelter.facilities[0].fax", "shelter.facilities[1].id"]), "\(error)")
        }
    }

    // MARK: steps

    @Test("an extension: up to 7 days in all, approved once past 2, the next revision and request number")
    func extendingAStay() throws {
        let stay = Self.stay(days: 2)
        #expect(throws: ShelterError.approvalNeeded(days: 3)) { try stay.extended(by: 1, approvedBy: nil) }
        let longer = try stay.extended(by: 5, approvedBy: "紀美野 太郎")
        #expect(longer.days == 7 && longer.amendments == 1 && longer.revision == 4 && longer.requestNumber == "KN-0042-2")
        #expect(longer.approvedBy == "紀美野 太郎")
        #expect(throws: ShelterError.tooLong(total: 8, already: 7)) { try longer.extended(by: 1, approvedBy: "紀美野 太郎") }
        #expect(throws: ShelterError.tooLong(total: 8, already: 2)) { try stay.extended(by: 6, approvedBy: "紀美野 太郎") }
        #expect(throws: ShelterError.badDays(0)) { try stay.extended(by: 0, approvedBy: "紀美野 太郎") }
        // 1 day extended by 1 is still within 第5条's 2 days: no approval needed.
        #expect(try Self.stay(days: 1).extended(by: 1, approvedBy: nil).days == 2)
    }

    @Test("only a request that went out can be extended; an ended stay cannot change")
    func extensionNeedsASentRequest() throws {
        let held = Self.stay(state: .held)
        #expect(throws: ShelterError.notSent(CaseID("KN-0042"), .held)) { try held.extended(by: 1, approvedBy: "町長") }
        let ended = try Self.stay().ended(at: Sample.now)
        #expect(ended.state == .ended && ended.endedAt == Sample.now)
        #expect(throws: ShelterError.notSent(CaseID("KN-0042"), .ended)) { try ended.extended(by: 1, approvedBy: "町長") }
        #expect(throws: ShelterError.alreadyEnded(CaseID("KN-0042"))) { try ended.ended(at: Sample.now) }
    }

    @Test("send: only a held request, to a known facility, approved when longer than 2 days")
    func sendHeld() throws {
        let settings = Configuration.Shelter(facilities: [Self.yasuragi])
        var held = Self.stay(days: 7, state: .held)
        held.holdReason = .needsApproval
        #expect(throws: ShelterError.approvalNeeded(days: 7)) { try held.sent(approvedBy: nil, settings: settings) }
        let sent = try held.sent(approvedBy: "紀美野 太郎", settings: settings)
        #expect(sent.state == .sent && sent.holdReason == nil && sent.approvedBy == "紀美野 太郎" && sent.revision == held.revision)
        #expect(throws: ShelterError.notHeld(CaseID("KN-0042"), .sent)) { try sent.sent(approvedBy: "x", settings: settings) }
        held.facilityID = "typo"
        #expect(throws: ShelterError.unknownFacility("typo", known: ["yasuragi"])) { try held.sent(approvedBy: "x", settings: settings) }
        #expect(try held.sent(facilityID: "yasuragi", approvedBy: "x", settings: settings).facilityID == "yasuragi")
        #expect(throws: ShelterError.notConfigured) { try held.sent(approvedBy: "x", settings: nil) }
    }

    @Test("every refusal tells the staff what to do, in Japanese")
    func refusalsSayWhatToDo() {
        let errors: [ShelterError] = [
            .notFound(CaseID("X")), .purged(CaseID("X")), .notHeld(CaseID("X"), .sent), .notSent(CaseID("X"), .held),
            .notSent(CaseID("X"), .ended), .alreadyEnded(CaseID("X")), .approvalNeeded(days: 3), .tooLong(total: 8, already: 5),
            .badDays(0), .unknownFacility("typo", known: ["yasuragi"]), .notConfigured,
        ]
        #expect(Set(errors.map(\.code)).count == 10)
        for error in errors {
            #expect(error.description.unicodeScalars.contains { $0.value >= 0x3040 }, "\(error)")
        }
        #expect(ShelterError.tooLong(total: 8, already: 5).description.contains("あと 2 日"))
        #expect(ShelterError.notSent(CaseID("X"), .held).description.contains("mimamori shelter send X"))
        #expect(ShelterError.approvalNeeded(days: 3).description.contains("--approved-by"))
    }

    // MARK: the staff's reminder

    @Test("the reminder is owed from shelter.remind-at on the last day, once per last day, while the request is out")
    func morningReminder() throws {
        let remindAt = TimeOfDay(hour: 8, minute: 30)
        var stay = Self.stay(days: 2)  // 11/27 and 11/28
        #expect(stay.reminderOwed(now: Sample.at("2026-11-28T08:29:00+09:00"), remindAt: remindAt) == nil)
        #expect(stay.reminderOwed(now: Sample.at("2026-11-28T08:30:00+09:00"), remindAt: remindAt) == LocalDate(2026, 11, 28))
        // A daemon down that morning reminds when it runs again.
        #expect(stay.reminderOwed(now: Sample.at("2026-11-30T10:00:00+09:00"), remindAt: remindAt) == LocalDate(2026, 11, 28))
        stay.remindedFor = LocalDate(2026, 11, 28)
        #expect(stay.reminderOwed(now: Sample.at("2026-11-28T12:00:00+09:00"), remindAt: remindAt) == nil)
        // Extended: owed again on the new last day, not before.
        stay = try stay.extended(by: 1, approvedBy: "町長")
        #expect(stay.reminderOwed(now: Sample.at("2026-11-28T12:00:00+09:00"), remindAt: remindAt) == nil)
        #expect(stay.reminderOwed(now: Sample.at("2026-11-29T08:30:00+09:00"), remindAt: remindAt) == LocalDate(2026, 11, 29))
        #expect(Self.stay(state: .held).reminderOwed(now: Sample.at("2026-12-01T09:00:00+09:00"), remindAt: remindAt) == nil)
        let ended = try Self.stay().ended(at: Sample.now)
        #expect(ended.reminderOwed(now: Sample.at("2026-12-01T09:00:00+09:00"), remindAt: remindAt) == nil)
    }

    // MARK: plans

    @Test("a request goes by FAX to shelter-<facility> and by email to each staff address (staff, staff-2), now")
    func requestRecipients() throws {
        let plan = try Self.planner().shelterRequest(Self.stay(), request: Self.request, now: Sample.now)
        #expect(plan.deliveries.map(\.planned.recipient.rawValue) == ["shelter-yasuragi", "staff", "staff-2"])
        #expect(plan.deliveries.map(\.planned.channel) == [.fax, .email, .email])
        #expect(
            plan.deliveries.map(\.address) == [
                Addresses.normalisedFaxNumber("073-489-5000"), "fukushi@town.example.jp", "kakari@town.example.jp",
            ])
        #expect(
            plan.deliveries.allSatisfy {
                $0.planned.kind == .shelterRequest && $0.planned.notBefore == Sample.now && $0.planned.revision == 3
            })
        #expect(plan.notices.count == 1 && plan.staffCopies == 2)
        let noStaff = try Self.planner(staff: []).shelterRequest(Self.stay(), request: Self.request, now: Sample.now)
        #expect(noStaff.deliveries.map(\.planned.recipient.rawValue) == ["shelter-yasuragi"] && noStaff.staffCopies == 0)
    }

    @Test("ending a stay: the facility's destruction reminder the next business morning; a held stay ends with nothing sent")
    func endingAStay() throws {
        let planner = try Self.planner()
        // Friday evening → Monday 09:00 (reminders.destruction-at, business days only).
        let plan = try planner.shelterEnd(Self.stay(), request: Self.request, now: Sample.at("2026-11-27T19:00:00+09:00"))
        #expect(plan.stay.state == .ended)
        #expect(plan.deliveries.map(\.planned.kind) == [.shelterDestruction])
        #expect(plan.deliveries.first?.planned.notBefore == Sample.at("2026-11-30T09:00:00+09:00"))
        // The year-end break: 12/28 evening → 1/4.
        let yearEnd = try planner.shelterEnd(Self.stay(), request: Self.request, now: Sample.at("2026-12-28T18:00:00+09:00"))
        #expect(yearEnd.deliveries.first?.planned.notBefore == Sample.at("2027-01-04T09:00:00+09:00"))
        let held = try planner.shelterEnd(Self.stay(state: .held), request: Self.request, now: Sample.now)
        #expect(held.stay.state == .ended && held.deliveries.isEmpty && held.notices.isEmpty)
    }

    // MARK: the closure

    static func closure(_ shelter: CaseEvent.Shelter, after events: [CaseEvent.Kind] = [.opened]) throws -> (
        actions: [CaseState.Action], planner: Planner
    ) {
        let planner = try Self.planner()
        var state: CaseState?
        var sequence = 0
        for kind in events {
            sequence += 1
            _ = CaseState.receive(
                try Sample.event(sequence: sequence, kind: kind), state: &state, context: .init(planner: planner, now: Sample.now))
        }
        var closed = try Sample.event(sequence: sequence + 1, kind: .closed)
        closed.person = nil
        closed.closure = .init(at: Sample.at("2026-11-27T19:05:00+09:00"), reason: .found, shelter: shelter)
        // Everyone alerted by FAX and email holds the data, the facility's cooperator row too.
        var holders: [RecipientID: Set<Channel>] = [:]
        for c in planner.directory.cooperators where c.active { holders[c.id] = [c.channel] }
        let actions = CaseState.receive(
            closed, state: &state,
            context: .init(
                planner: planner, history: DeliveryHistory(personalDataRecipients: holders), now: Sample.now,
                shelterRequest: Self.request))
        return (actions, planner)
    }

    @Test(
        "a closure with shelter: the cooperators' termination as ever, the request to the facility and the staff, never a termination to the facility"
    )
    func closureSendsTheRequest() throws {
        let (actions, _) = try Self.closure(CaseEvent.Shelter(facilityID: "yasuragi", expectedDays: 2, protectedBy: "海南警察署"))
        guard case .plan(let plan)? = actions.first(where: { if case .plan = $0 { true } else { false } }),
            case .shelter(let stay)? = actions.last
        else {
            Issue.record("no plan and stay: \(actions)")
            return
        }
        #expect(!plan.deliveries.isEmpty && plan.deliveries.allSatisfy { $0.recipient.rawValue.hasPrefix("shelter-") == false })
        #expect(Set(plan.deliveries.map(\.kind)) == [.termination, .destructionReminder])
        // The facility as a cooperator (fax-yasuragi) was alerted: it is told the end as one.
        #expect(plan.deliveries.contains { $0.recipient == RecipientID("fax-yasuragi") && $0.kind == .termination })
        #expect(stay.stay.state == .sent && stay.stay.startsOn == LocalDate(2026, 11, 27) && stay.stay.revision == 2)
        #expect(stay.deliveries.allSatisfy { $0.planned.kind == .shelterRequest })
        #expect(stay.request == Self.request)
        #expect(!actions.contains(.raise(.shelterHeld)))
    }

    @Test("a 7-day closure without approvedBy is accepted: the termination goes, the request is held and the staff alarmed")
    func closureHoldsAnUnapprovedLongStay() throws {
        let (actions, _) = try Self.closure(CaseEvent.Shelter(facilityID: "yasuragi", expectedDays: 7))
        guard case .plan(let plan)? = actions.first(where: { if case .plan = $0 { true } else { false } }),
            case .shelter(let stay)? = actions.first(where: { if case .shelter = $0 { true } else { false } })
        else {
            Issue.record("no plan and stay: \(actions)")
            return
        }
        #expect(plan.deliveries.contains { $0.kind == .termination })
        #expect(stay.stay.state == .held && stay.stay.holdReason == .needsApproval && stay.deliveries.isEmpty && stay.notices.isEmpty)
        #expect(actions.contains(.raise(.shelterHeld)))
    }

    @Test("an unknown facility or no shelter: settings hold the request with the reason, never drop it")
    func closureHoldsWithoutAFacility() throws {
        let (unknown, _) = try Self.closure(CaseEvent.Shelter(facilityID: "nowhere", expectedDays: 2))
        guard case .shelter(let stay)? = unknown.first(where: { if case .shelter = $0 { true } else { false } }) else {
            Issue.record("no stay")
            return
        }
        #expect(stay.stay.holdReason == .unknownFacility && unknown.contains(.raise(.shelterHeld)))
    }

    @Test("a held (stale) case's closure still asks the facility: the person found needs care; nobody else is told")
    func heldCaseClosure() throws {
        let planner = try Self.planner()
        var state: CaseState?
        var stale = try Sample.event(sequence: 1, kind: .opened)
        stale.issuedAt = Sample.now.addingTimeInterval(-3 * 86400)
        _ = CaseState.receive(stale, state: &state, context: .init(planner: planner, now: Sample.now))
        #expect(state?.phase == .held)
        var closed = try Sample.event(sequence: 2, kind: .closed)
        closed.closure = .init(at: Sample.now, reason: .found, shelter: .init(facilityID: "yasuragi", expectedDays: 1))
        let actions = CaseState.receive(closed, state: &state, context: .init(planner: planner, now: Sample.now))
        #expect(actions.contains { if case .plan(let p) = $0 { p.deliveries.isEmpty } else { false } })
        #expect(actions.contains { if case .shelter(let s) = $0 { s.stay.state == .sent && s.deliveries.count == 3 } else { false } })
    }

    // MARK: the request's fields

    @Test("the form's person: the case's own fields win, the registration fills the rest and gives what only the family knows")
    func requestFields() {
        let registration = Registration(
            id: RegistrationID("KIMINO-0001"),
            person: .init(name: "紀美野 花", nameKana: "きみの はな", sex: .female, dateOfBirth: LocalDate(1944, 11, 28)),
            address: "野上新1234", phone: "073-489-1234", careNotes: ["杖"], careLevel: "要介護2",
            familyContacts: [.init(name: "紀美野 一郎", relation: "長男", phone: "090-1234-5678")],
            registrant: .init(name: "紀美野 一郎", phone: "090-1234-5678"), registeredOn: LocalDate(2025, 4, 1))
        let person = CaseEvent.Person(name: "紀美野 花子", nameKana: "きみの はなこ", sex: .unknown, age: 83)
        let shelter = CaseEvent.Shelter(facilityID: "yasuragi", expectedDays: 2, protectedBy: "海南警察署")
        let request = ShelterRequest(person: person, shelter: shelter, registration: registration)
        #expect(request.name == "紀美野 花子" && request.nameKana == "きみの はなこ" && request.sex == .female)
        #expect(request.dateOfBirth == LocalDate(1944, 11, 28) && request.address == "野上新1234" && request.phone == "073-489-1234")
        #expect(request.contacts.map(\.name) == ["紀美野 一郎"] && request.careLevel == "要介護2" && request.careNotes == ["杖"])
        #expect(request.protectedBy == "海南警察署")
        // The age on the stay's first day from the date of birth, the birthday counted.
        #expect(request.age(on: LocalDate(2026, 11, 27)) == 81 && request.age(on: LocalDate(2026, 11, 28)) == 82)
        // Without a registration: the event's age.
        let bare = ShelterRequest(person: person, shelter: shelter, registration: nil)
        #expect(bare.age(on: LocalDate(2026, 11, 27)) == 83 && bare.dateOfBirth == nil && bare.contacts.isEmpty)
        // A closure with no description at all: the form leaves the person to the facility.
        let none = ShelterRequest(person: nil, shelter: shelter, registration: nil)
        let notice = NoticeRenderer(town: Configuration.Town(name: "紀美野町", department: "保健福祉課", phone: "073-489-9960"))
            .shelterRequest(none, stay: Self.stay(), facility: Self.yasuragi, sentAt: Sample.now)
        #expect(notice.fax.rows.first { $0.label == "氏名" }?.value == NoticeRenderer.shelterUnknown)
    }

    @Test(
        "dates of birth in the era: 大正15年12月24日, 昭和元年12月25日, 昭和64年1月7日, 平成元年1月8日, 平成31年4月30日, 令和元年5月1日",
        arguments: [
            (LocalDate(1912, 7, 29), "明治45年"), (LocalDate(1912, 7, 30), "大正元年"), (LocalDate(1926, 12, 24), "大正15年"),
            (LocalDate(1926, 12, 25), "昭和元年"), (LocalDate(1944, 5, 3), "昭和19年"), (LocalDate(1989, 1, 7), "昭和64年"),
            (LocalDate(1989, 1, 8), "平成元年"), (LocalDate(2019, 4, 30), "平成31年"), (LocalDate(2019, 5, 1), "令和元年"),
            (LocalDate(2026, 1, 1), "令和8年"),
        ])
    func eraYears(date: LocalDate, era: String) {
        #expect(JapaneseDateFormat.eraYear(date) == era)
        #expect(JapaneseDateFormat.birthDate(date) == "\(era)\(date.month)月\(date.day)日（\(date.year)年）")
    }

    @Test("the facility is no cooperator: its notices carry no alert data, are not broadcast and are no concern's")
    func kinds() {
        for kind in [NoticeKind.shelterRequest, .shelterDestruction] {
            #expect(!kind.carriesPersonalData && !kind.isBroadcast && !kind.isConcern && kind.isShelter)
        }
        #expect(NoticeKind.allCases.filter(\.isShelter) == [.shelterRequest, .shelterDestruction])
    }
}

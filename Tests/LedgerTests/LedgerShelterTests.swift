import Foundation
import Ledger
import MimamoriCore
import Testing

/// The stays beside their cases: written with the closure, changed by the staff only from the
/// state they read, reminded once per last day, never holders of the case's alert, purged with
/// the case once the stay ended.
@Suite("Ledger shelter stays (緊急一時保護)")
struct LedgerShelterTests {
    static let caseID = CaseID("KN-0042")
    static let form = Data("{\"name\":\"\(Person.name)\",\"address\":\"海草郡紀美野町野上新1234\"}".utf8)

    static func stay(state: ShelterStay.State = .sent, days: Int = 2, revision: Int = 2) -> ShelterStay {
        ShelterStay(
            caseID: caseID, facilityID: "yasuragi", startsOn: LocalDate(2026, 11, 27), days: days, state: state,
            holdReason: state == .held ? .needsApproval : nil, revision: revision)
    }

    /// The request's FAX to the facility and a staff copy, as the core plans them.
    static func requestRows(_ stay: ShelterStay, at: Date) -> (notices: [Intake.Notice], deliveries: [Intake.Delivery]) {
        let content = Data("shelter-request: \(Person.name)".utf8)
        let notices = [Channel.fax, .email].map {
            Intake.Notice(revision: stay.revision, kind: .shelterRequest, channel: $0, content: content)
        }
        let deliveries = [
            (ShelterStay.facilityRecipient("yasuragi"), Channel.fax, "0734895000"),
            (ShelterStay.staffRecipient(index: 0), .email, "staff@town.example.jp"),
        ].map { recipient, channel, address in
            Intake.Delivery(
                PlannedDelivery(
                    caseID: caseID, revision: stay.revision, recipient: recipient, channel: channel, kind: .shelterRequest, notBefore: at),
                address: address, deadline: at.addingTimeInterval(6 * 3600))
        }
        return (notices, deliveries)
    }

    /// An alert delivered to one volunteer, then the closure (sequence 2) recording `stay`, with the
    /// request's rows when it was sent.
    static func alertAndClosure(_ ledger: any CaseLedger, stay: ShelterStay, closedAt: Date = t0.addingTimeInterval(3600)) async throws {
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 1, radio: false))
        for job in try await ledger.claimDue(now: t0, channel: .email, limit: 10) { try await ledger.markDelivered(job.id, at: t0) }
        var closure = makeIntake(
            sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 1, radio: false, at: closedAt, closed: true,
            cancel: [.alert, .update])
        if stay.state == .sent {
            let rows = requestRows(stay, at: closedAt)
            closure.notices += rows.notices
            closure.deliveries += rows.deliveries
        }
        closure.shelterStay = (stay, form)
        if stay.state == .held { closure.alarms = [.shelterHeld] }
        _ = try await ledger.recordIntake(closure)
    }

    @Test("the closure's stay is written with it and read back as it was", arguments: LedgerBackend.all)
    func writtenWithTheClosure(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        try await Self.alertAndClosure(ledger, stay: Self.stay())
        let stored = try #require(try await ledger.stay(case: Self.caseID))
        #expect(stored.stay == Self.stay() && stored.form == Self.form && stored.createdAt == t0.addingTimeInterval(3600))
        #expect(try await ledger.stays().map(\.stay.caseID) == [Self.caseID])
        #expect(try await fixture.reopen().stay(case: Self.caseID)?.stay == Self.stay())
        #expect(try await ledger.stay(case: CaseID("KN-9999")) == nil)
    }

    @Test("the facility is never a holder of the case's data, even once its request was delivered", arguments: LedgerBackend.all)
    func theFacilityHoldsNoAlert(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        try await Self.alertAndClosure(ledger, stay: Self.stay())
        for job in try await ledger.claimDue(now: t0.addingTimeInterval(7200), channel: .fax, limit: 10) {
            try await ledger.markDelivered(job.id, at: t0.addingTimeInterval(7200))
        }
        let holders = try await ledger.recipientsHoldingPersonalData(case: Self.caseID)
        #expect(holders.map(\.recipient.rawValue) == ["coop-email-0"])
        #expect(
            try await ledger.report(case: Self.caseID).contains { $0.recipient.rawValue == "shelter-yasuragi" && $0.state == .delivered })
    }

    @Test("a staff's change is written only from the state and revision it was decided on", arguments: LedgerBackend.all)
    func changesAreChecked(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let held = Self.stay(state: .held, days: 7)
        try await Self.alertAndClosure(ledger, stay: held)
        var sent = held
        sent.state = .sent
        sent.holdReason = nil
        sent.approvedBy = "紀美野 太郎"
        let at = t0.addingTimeInterval(7200)
        let rows = Self.requestRows(sent, at: at)
        let change = ShelterChange(
            stay: sent, fromState: .held, fromRevision: 2, notices: rows.notices, deliveries: rows.deliveries, event: "shelter.sent",
            detail: "facility=yasuragi days=7", by: "tanaka")
        try await ledger.recordShelterChange(change, at: at)
        #expect(try await ledger.stay(case: Self.caseID)?.stay == sent)
        let planned = try await ledger.report(case: Self.caseID).filter { $0.kind == .shelterRequest }
        #expect(planned.count == 2 && planned.allSatisfy { $0.state == .planned })
        // The same change again (a second staff member, a double run): the stay is no longer held.
        do {
            try await ledger.recordShelterChange(change, at: at)
            Issue.record("a stale change was written")
        } catch {
            #expect(error.code == .notFound)
        }
        #expect(try await ledger.report(case: Self.caseID).filter { $0.kind == .shelterRequest }.count == 2, "nothing more planned")
        let audit = try await ledger.audit(case: Self.caseID).filter { $0.event == "shelter.sent" }
        #expect(audit.count == 1 && audit.first?.detail.hasPrefix("by=tanaka facility=yasuragi days=7") == true)
        #expect(audit.first?.detail.contains("紀美野") == false, "the approving official is no audit detail")
    }

    @Test("ending a stay withdraws a request still waiting to go; the facility's reminder is planned", arguments: LedgerBackend.all)
    func endWithdrawsAWaitingRequest(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let sent = Self.stay()
        try await Self.alertAndClosure(ledger, stay: sent)
        // The staff copy went; the FAX to the facility is still planned (its line was busy).
        let at = t0.addingTimeInterval(7200)
        for job in try await ledger.claimDue(now: at, channel: .email, limit: 10) { try await ledger.markDelivered(job.id, at: at) }
        var ended = sent
        ended.state = .ended
        ended.endedAt = at
        let change = ShelterChange(
            stay: ended, fromState: .sent, fromRevision: sent.revision, notices: [], deliveries: [], event: "shelter.ended",
            detail: "facility=yasuragi", by: "tanaka")
        try await ledger.recordShelterChange(change, at: at)
        let requests = try await ledger.report(case: Self.caseID).filter { $0.kind == .shelterRequest }
        #expect(requests.first { $0.recipient.rawValue == "shelter-yasuragi" }?.state == .cancelled)
        #expect(requests.first { $0.recipient.rawValue != "shelter-yasuragi" }?.state == .delivered)
        #expect(try await ledger.claimDue(now: at, channel: .fax, limit: 10).isEmpty)
        let audit = try await ledger.audit(case: Self.caseID).filter { $0.event == "shelter.ended" }
        #expect(audit.first?.detail == "by=tanaka facility=yasuragi withdrawn=1")
    }

    @Test(
        "the morning reminder is raised once per last day, again after an extension, never for a held or ended stay",
        arguments: LedgerBackend.all)
    func morningReminders(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        try await Self.alertAndClosure(ledger, stay: Self.stay(days: 2))
        let remindAt = TimeOfDay(hour: 8, minute: 30)
        let lastMorning = JapaneseCalendar.instant(LocalDate(2026, 11, 28), remindAt)
        #expect(try await ledger.raiseShelterReminders(remindAt: remindAt, now: lastMorning.addingTimeInterval(-60)).isEmpty)
        #expect(try await ledger.raiseShelterReminders(remindAt: remindAt, now: lastMorning) == [Self.caseID])
        #expect(try await ledger.raiseShelterReminders(remindAt: remindAt, now: lastMorning.addingTimeInterval(3600)).isEmpty)
        var owed = try await ledger.owedCaseAlarms().filter { $0.kind == .shelterEnds }
        #expect(owed.count == 1 && owed.first?.audience == .staff && owed.first?.stay?.endsOn == LocalDate(2026, 11, 28))
        try await ledger.markCaseAlarmSent(try #require(owed.first), at: lastMorning)

        let extended = try Self.stay(days: 2).extended(by: 1, approvedBy: "町長")
        try await ledger.recordShelterChange(
            ShelterChange(
                stay: extended, fromState: .sent, fromRevision: 2, notices: [], deliveries: [], event: "shelter.extended", detail: "days=3",
                by: "tanaka"), at: lastMorning)
        let nextMorning = JapaneseCalendar.instant(LocalDate(2026, 11, 29), remindAt)
        #expect(try await ledger.raiseShelterReminders(remindAt: remindAt, now: nextMorning.addingTimeInterval(-60)).isEmpty)
        #expect(try await ledger.raiseShelterReminders(remindAt: remindAt, now: nextMorning) == [Self.caseID])
        owed = try await ledger.owedCaseAlarms().filter { $0.kind == .shelterEnds }
        #expect(owed.count == 1 && owed.first?.stay?.days == 3, "owed again for the new last day")

        let other = try await backend.open()
        defer { other.remove() }
        try await Self.alertAndClosure(other.ledger, stay: Self.stay(state: .held))
        #expect(try await other.ledger.raiseShelterReminders(remindAt: remindAt, now: nextMorning.addingTimeInterval(86400 * 10)).isEmpty)
        #expect(try await other.ledger.owedCaseAlarms().map(\.kind) == [.shelterHeld], "the held alarm, with its stay")
        #expect(try await other.ledger.owedCaseAlarms().first?.stay?.holdReason == .needsApproval)
    }

    @Test(
        "the purge waits for the stay to end and its retention to pass, then takes the request's fields with the case's",
        arguments: LedgerBackend.all)
    func purgeWaitsForTheStay(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let closedAt = t0.addingTimeInterval(3600)
        try await Self.alertAndClosure(ledger, stay: Self.stay(), closedAt: closedAt)
        let day = Duration.seconds(86400)
        // Everything sent; the stay goes on: nothing is purged, however long.
        for channel in Channel.allCases {
            for job in try await ledger.claimDue(now: closedAt.addingTimeInterval(60), channel: channel, limit: 100) {
                try await ledger.markDelivered(job.id, at: closedAt.addingTimeInterval(60))
            }
        }
        #expect(try await ledger.purge(retention: day, now: closedAt.addingTimeInterval(30 * 86400)).cases.isEmpty)
        #expect(fixture.hits(of: Person.name) > 0)

        // Ended on day 31; the facility's reminder planned for the next morning.
        let endedAt = closedAt.addingTimeInterval(31 * 86400)
        let ended = try Self.stay().ended(at: endedAt)
        let reminderAt = endedAt.addingTimeInterval(12 * 3600)
        let reminder = Intake.Delivery(
            PlannedDelivery(
                caseID: Self.caseID, revision: 2, recipient: ShelterStay.facilityRecipient("yasuragi"), channel: .fax,
                kind: .shelterDestruction, notBefore: reminderAt),
            address: "0734895000", deadline: reminderAt.addingTimeInterval(6 * 3600))
        try await ledger.recordShelterChange(
            ShelterChange(
                stay: ended, fromState: .sent, fromRevision: 2,
                notices: [Intake.Notice(revision: 2, kind: .shelterDestruction, channel: .fax, content: Data("reminder".utf8))],
                deliveries: [reminder], event: "shelter.ended", detail: "facility=yasuragi", by: "tanaka"), at: endedAt)
        // A day after the end, its reminder still to go: kept.
        #expect(try await ledger.purge(retention: day, now: reminderAt.addingTimeInterval(60)).cases.isEmpty)
        for job in try await ledger.claimDue(now: reminderAt, channel: .fax, limit: 10) {
            try await ledger.markDelivered(job.id, at: reminderAt)
        }
        // Within the retention after the end: kept.
        #expect(try await ledger.purge(retention: day, now: endedAt.addingTimeInterval(86400 - 60)).cases.isEmpty)
        let outcome = try await ledger.purge(retention: day, now: endedAt.addingTimeInterval(86400 + 60))
        #expect(outcome.cases == [Self.caseID])
        let stored = try #require(try await ledger.stay(case: Self.caseID))
        #expect(stored.form == nil && stored.stay == ended, "ids and dates stay for the audit")
        #expect(fixture.hits(of: Person.name) == 0, "the request's fields left the file")
        #expect(try await ledger.audit(case: Self.caseID).last { $0.event == "case.purged" }?.detail.hasSuffix(" stay=1") == true)
        #expect(
            try await ledger.raiseShelterReminders(remindAt: TimeOfDay(hour: 8, minute: 30), now: endedAt.addingTimeInterval(86400 * 9))
                .isEmpty)
    }

    @Test("the latest description is the newest alert or update, never the closure; nothing once purged", arguments: LedgerBackend.all)
    func latestDescription(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        #expect(try await ledger.latestDescription(case: Self.caseID) == nil)
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 1, radio: false))
        var update = makeIntake(sequence: 2, eventKind: "updated", kind: .update, fax: 0, email: 1, radio: false)
        update.body = Data("{\"seq\":2}".utf8)
        _ = try await ledger.recordIntake(update)
        var closure = makeIntake(sequence: 3, eventKind: "closed", kind: .termination, fax: 0, email: 0, radio: false, closed: true)
        closure.body = Data("{\"seq\":3}".utf8)
        _ = try await ledger.recordIntake(closure)
        #expect(try await ledger.latestDescription(case: Self.caseID) == Data("{\"seq\":2}".utf8))
        _ = try await ledger.purge(retention: .seconds(86400), now: t0.addingTimeInterval(2 * 86400))
        #expect(try await ledger.latestDescription(case: Self.caseID) == nil)
    }

    @Test("a stay recorded without a case is a closed row of its own schema, audited with who recorded it", arguments: LedgerBackend.all)
    func aRecordOfItsOwn(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let id = CaseID("KIMINO-S-20261127-AB2C")
        var stay = Self.stay()
        stay.caseID = id
        var intake = Intake(
            messageID: UUID().uuidString, caseID: id, municipality: "kimino", sequence: 1, eventKind: "requested", receivedAt: t0,
            body: Self.form, state: try CaseSnapshot(name: "closed", encoding: stay, closedAt: t0))
        intake.schema = ShelterStay.recordSchema
        intake.shelterStay = (stay, Self.form)
        intake.recordedBy = "tanaka"
        #expect(try await ledger.recordIntake(intake) == .recorded(planned: 0, cancelled: 0))
        #expect(try await ledger.status(case: id)?.schema == ShelterStay.recordSchema)
        #expect(try await ledger.stay(case: id)?.stay == stay)
        let audit = try #require(try await ledger.audit(case: id).first)
        #expect(audit.event == "shelter.requested" && audit.detail.hasSuffix(" by=tanaka") == true, "\(audit)")
        #expect(try await ledger.raiseOpenCaseAlarms(openFor: .seconds(86400), now: t0.addingTimeInterval(30 * 86400)).isEmpty)
    }
}

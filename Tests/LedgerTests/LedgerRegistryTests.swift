import Foundation
import Ledger
import MimamoriCore
import Testing

/// The registry's rows in the ledger (`RegistryStore`), on every backend: a sealed record and
/// its dates, inserted once, replaced, removed with its bytes gone from everything the backend
/// keeps; the reconfirmation reminders; the audit, which outlives the row.
@Suite("Ledger registry: registrations and their audit")
struct LedgerRegistryTests {
    static let id = RegistrationID("R2026-0001")
    /// Stands for a sealed record: bytes the test can find in the files.
    static let record = Data("SEALED-RECORD-見守テスト-".utf8) + Data((0..<64).map { UInt8($0) })

    static func stored(_ id: RegistrationID = id, record: Data = record, confirmed: LocalDate = LocalDate(2026, 4, 1)) -> StoredRegistration
    {
        StoredRegistration(id: id, record: record, registeredOn: LocalDate(2026, 4, 1), confirmedOn: confirmed)
    }

    static func audit(_ action: String, _ id: RegistrationID? = id, at: Date = t0, reason: String? = nil) -> RegistryAuditEntry {
        RegistryAuditEntry(action: action, registrationID: id, at: at, by: "staff-a", reason: reason)
    }

    @Test("a registration is inserted once (a taken id is a constraint), read back by id, listed by id", arguments: LedgerBackend.all)
    func insertOnce(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        #expect(try await ledger.registrations().isEmpty)
        #expect(try await ledger.registration(Self.id) == nil)
        try await ledger.saveRegistration(Self.stored(), isNew: true, audit: Self.audit("registered"))
        try await ledger.saveRegistration(
            Self.stored(RegistrationID("R2026-0000")), isNew: true, audit: Self.audit("registered", RegistrationID("R2026-0000")))
        await #expect(throws: LedgerError.self) {
            try await ledger.saveRegistration(Self.stored(record: Data("other".utf8)), isNew: true, audit: Self.audit("registered"))
        }
        do {
            try await ledger.saveRegistration(Self.stored(), isNew: true, audit: Self.audit("registered"))
            Issue.record("a taken id was inserted again")
        } catch {
            #expect(error.code == .constraint)
        }
        #expect(try await ledger.registration(Self.id) == Self.stored(), "the failed insert changed nothing")
        #expect(try await ledger.registrations().map(\.id.rawValue) == ["R2026-0000", "R2026-0001"])
        #expect(try await ledger.registration(Self.id)?.reconfirmationDue == LocalDate(2027, 4, 1))
        #expect(try await ledger.registryAudit(Self.id).map(\.action) == ["registered"], "the refused insert wrote no audit row")
        // A restarted daemon finds the same rows.
        #expect(try await fixture.reopen().registration(Self.id) == Self.stored())
    }

    @Test(
        "a replace changes record and dates and keeps the reminders' columns as given; an unknown id is notFound",
        arguments: LedgerBackend.all)
    func replace(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        try await ledger.saveRegistration(Self.stored(), isNew: true, audit: Self.audit("registered"))
        let changed = Self.stored(record: Data("NEW-RECORD".utf8), confirmed: LocalDate(2027, 3, 20))
        try await ledger.saveRegistration(changed, isNew: false, audit: Self.audit("confirmed", at: t0.addingTimeInterval(60)))
        #expect(try await ledger.registration(Self.id) == changed)
        do {
            try await ledger.saveRegistration(
                Self.stored(RegistrationID("R9")), isNew: false, audit: Self.audit("updated", RegistrationID("R9")))
            Issue.record("a replace of an unknown id succeeded")
        } catch {
            #expect(error.code == .notFound)
        }
        #expect(try await ledger.registration(RegistrationID("R9")) == nil)
        #expect(try await ledger.registryAudit(nil).map(\.action) == ["registered", "confirmed"])
    }

    @Test(
        "a removal deletes the row, its record's bytes leave every file the backend keeps, the audit row stays; removing again is false",
        arguments: LedgerBackend.all)
    func removal(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        try await ledger.saveRegistration(Self.stored(), isNew: true, audit: Self.audit("registered"))
        let other = Self.stored(RegistrationID("R2026-0002"), record: Data("KEPT-RECORD-".utf8) + Data(repeating: 7, count: 40))
        try await ledger.saveRegistration(other, isNew: true, audit: Self.audit("registered", other.id))
        // A replaced record leaves no old copy behind either.
        let first = Data("FIRST-VERSION-".utf8) + Self.record
        try await ledger.saveRegistration(Self.stored(record: first), isNew: false, audit: Self.audit("updated"))
        try await ledger.saveRegistration(Self.stored(), isNew: false, audit: Self.audit("updated"))
        #expect(fixture.hits(of: "SEALED-RECORD-見守テスト-") > 0, "the record is where the test looks")

        #expect(try await ledger.removeRegistration(Self.id, audit: Self.audit("removed", reason: "deceased")))
        #expect(try await ledger.registration(Self.id) == nil)
        #expect(fixture.hits(of: "SEALED-RECORD-見守テスト-") == 0, "the removed record is still in the files")
        #expect(fixture.hits(of: "FIRST-VERSION-") == 0, "an earlier version of the record is still in the files")
        #expect(try await ledger.registration(other.id) == other, "the other registration is untouched")
        #expect(try await !ledger.removeRegistration(Self.id, audit: Self.audit("removed", reason: "deceased")))
        let audit = try await ledger.registryAudit(Self.id)
        #expect(audit.map(\.action) == ["registered", "updated", "updated", "removed"], "a second removal wrote no row")
        #expect(audit.last == Self.audit("removed", reason: "deceased"))
    }

    @Test(
        "a reminder is recorded against the due date it was listed with, per stage, with a mimamorid audit row; an unknown id is passed over",
        arguments: LedgerBackend.all)
    func reminders(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        try await ledger.saveRegistration(Self.stored(confirmed: LocalDate(2024, 2, 29)), isNew: true, audit: Self.audit("registered"))
        try await ledger.markReconfirmationReminded(
            [Self.id: LocalDate(2025, 2, 28), RegistrationID("R404"): LocalDate(2025, 2, 28)], stage: .dueSoon, at: t0)
        var row = try #require(try await ledger.registration(Self.id))
        #expect(row.remindedDueSoon == LocalDate(2025, 2, 28) && row.remindedOverdue == nil)
        try await ledger.markReconfirmationReminded([Self.id: LocalDate(2025, 2, 28)], stage: .overdue, at: t0.addingTimeInterval(86400))
        row = try #require(try await ledger.registration(Self.id))
        #expect(row.remindedDueSoon == LocalDate(2025, 2, 28) && row.remindedOverdue == LocalDate(2025, 2, 28))
        try await ledger.markReconfirmationReminded([:], stage: .overdue, at: t0)
        let audit = try await ledger.registryAudit(nil)
        #expect(audit.map(\.action) == ["registered", "reminded", "reminded"])
        #expect(audit.dropFirst().map(\.by) == ["mimamorid", "mimamorid"] && audit.dropFirst().map(\.reason) == ["due-soon", "overdue"])
        #expect(try await ledger.registryAudit(RegistrationID("R404")).isEmpty)
    }

    @Test(
        "the audit: rows of no registration (a list, a search), one registration's rows oldest first, times to the millisecond",
        arguments: LedgerBackend.all)
    func audit(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let later = t0.addingTimeInterval(0.125)
        try await ledger.recordRegistryAudit(Self.audit("find", nil, reason: "criteria=sex,age candidates=2"))
        try await ledger.recordRegistryAudit(Self.audit("sheet", at: later, reason: "照会者: 海南警察署 / 理由: 保護"))
        try await ledger.recordRegistryAudit(Self.audit("listed", nil, at: later))
        #expect(try await ledger.registryAudit(Self.id) == [Self.audit("sheet", at: later, reason: "照会者: 海南警察署 / 理由: 保護")])
        #expect(try await ledger.registryAudit(nil).map(\.action) == ["find", "sheet", "listed"])
        #expect(try await ledger.registryAudit(nil).first?.registrationID == nil)
    }
}

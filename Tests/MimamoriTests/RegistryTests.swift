import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import Testing

/// The order of the registry's writes to its two files, against real SQLite files.
@Suite("Registry (ledger + key store)")
struct RegistryTests {
    static func registration(_ id: String = "R2026-0001") -> Registration {
        Registration(
            id: RegistrationID(id),
            person: .init(name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, dateOfBirth: LocalDate(1944, 5, 12)),
            registrant: .init(name: "紀美野 一郎", phone: "090-0000-0001"), registeredOn: LocalDate(2026, 4, 1))
    }

    static func open(_ file: LedgerFile, credential: String) throws -> Registry {
        Registry(
            store: file.ledger, keys: try RegistryKeyStore(path: file.directory.appendingPathComponent("registry-keys.sqlite").path),
            vault: try RegistryVault(credential: credential))
    }

    @Test("an update keeps the registration's key: only the record is rewritten, and it opens")
    func updateKeepsTheKey() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let registry = try Self.open(file, credential: RegistryVault.newCredential())
        try await registry.add(Self.registration(), by: "test", at: t0)
        let key = try await registry.keys.key(RegistrationID("R2026-0001"))
        var changed = Self.registration()
        changed.person.features = ["杖をつく"]
        try await registry.update(changed, by: "test", at: t0)
        #expect(try await registry.keys.key(RegistrationID("R2026-0001")) == key)
        #expect(try await registry.registration(RegistrationID("R2026-0001"))?.person.features == ["杖をつく"])
        await #expect(throws: RegistryError.self) { try await registry.add(Self.registration(), by: "test", at: t0) }
        await #expect(throws: RegistryError.self) { try await registry.update(Self.registration("R2026-0009"), by: "test", at: t0) }
    }

    @Test("a reminder marked after a confirmation moved the due date leaves the new due date's reminder owed")
    func reminderMarkedForTheListedDueDate() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let registry = try Self.open(file, credential: RegistryVault.newCredential())
        try await registry.add(Self.registration(), by: "test", at: t0)
        let id = RegistrationID("R2026-0001")
        let listed = try #require(try await file.ledger.registration(id)).reconfirmationDue
        // Staff confirm while the list is on its way to them.
        try await registry.confirm(id, on: LocalDate(2027, 3, 20), by: "test", at: t0)
        try await file.ledger.markReconfirmationReminded([id: listed], stage: .dueSoon, at: t0)
        let row = try #require(try await file.ledger.registration(id))
        #expect(row.remindedDueSoon == LocalDate(2027, 4, 1) && row.reconfirmationDue == LocalDate(2028, 3, 20))
        #expect(
            Reconfirmation.reminderOwed(
                confirmedOn: row.confirmedOn, today: LocalDate(2028, 3, 1), remindDays: 30, remindedDueSoon: row.remindedDueSoon,
                remindedOverdue: row.remindedOverdue) == .dueSoon)
    }

    @Test("a key left by a crashed add: swept once an hour old, never while an add may be under way")
    func orphanSweep() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let registry = try Self.open(file, credential: RegistryVault.newCredential())
        try await registry.add(Self.registration(), by: "test", at: t0)
        // What a crash between the two writes leaves: a key, no row.
        let sealed = try registry.vault.seal(Self.registration("R2026-0002"))
        try await registry.keys.put(RegistrationID("R2026-0002"), wrapped: sealed.wrappedKey, at: t0)
        let today = LocalDate(2026, 5, 1)
        _ = try await registry.purgeLapsed(today: today, grace: .seconds(86400 * 60), at: t0.addingTimeInterval(1800))
        #expect(try await registry.keys.key(RegistrationID("R2026-0002")) != nil)
        _ = try await registry.purgeLapsed(today: today, grace: .seconds(86400 * 60), at: t0.addingTimeInterval(3601))
        #expect(try await registry.keys.key(RegistrationID("R2026-0002")) == nil)
        #expect(try await registry.registration(RegistrationID("R2026-0001")) != nil)
        // The same id added again after such a crash is not refused for the key left behind;
        // while that key is young it may be another add's under way, which is not overwritten.
        try await registry.keys.put(RegistrationID("R2026-0003"), wrapped: Data([1, 2, 3]), at: t0.addingTimeInterval(-3700))
        try await registry.add(Self.registration("R2026-0003"), by: "test", at: t0)
        #expect(try await registry.registration(RegistrationID("R2026-0003")) != nil)
        try await registry.keys.put(RegistrationID("R2026-0004"), wrapped: Data([1, 2, 3]), at: t0)
        await #expect(throws: RegistryError.self) { try await registry.add(Self.registration("R2026-0004"), by: "test", at: t0) }
        #expect(try await registry.keys.key(RegistrationID("R2026-0004")) == Data([1, 2, 3]))
    }

    @Test("removed: the row and its key are gone; a copy of the ledger taken before cannot be read")
    func removal() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let credential = RegistryVault.newCredential()
        let registry = try Self.open(file, credential: credential)
        try await registry.add(Self.registration(), by: "test", at: t0)
        try await file.ledger.truncateWAL()
        let backup = file.directory.appendingPathComponent("backup.sqlite")
        try FileManager.default.copyItem(atPath: file.path, toPath: backup.path)
        let wrapped = try #require(try await registry.keys.key(RegistrationID("R2026-0001")))
        #expect(try await registry.remove(RegistrationID("R2026-0001"), reason: .deceased, by: "test", at: t0))
        #expect(try await registry.registration(RegistrationID("R2026-0001")) == nil)
        #expect(try await file.ledger.registrations().isEmpty)
        // The backup still holds the sealed record, and the key store no longer holds its key.
        let old = Registry(store: try Ledger(path: backup.path), keys: registry.keys, vault: registry.vault)
        #expect(try await old.store.registrations().count == 1)
        #expect(try await old.registration(RegistrationID("R2026-0001")) == nil)
        let keyFile = try Data(contentsOf: URL(fileURLWithPath: registry.keys.path))
        #expect(keyFile.range(of: wrapped) == nil)
        let audit = try await file.ledger.registryAudit(RegistrationID("R2026-0001")).map { "\($0.action) \($0.reason ?? "")" }
        #expect(audit == ["registered ", "removed deceased"])
    }
}

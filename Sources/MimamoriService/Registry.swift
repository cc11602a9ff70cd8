import Foundation
import Ledger
import MimamoriCore

/// The registry as staff and the daemon use it: registrations opened and sealed by the vault,
/// their rows in the ledger, their keys in the key store. The one place that orders writes to
/// both files: a new key is stored before the row that needs it, a key is destroyed before the
/// row it opens is deleted; what a crash between the two leaves (a key with no row) is swept.
public struct Registry: Sendable {
    public let store: any RegistryStore
    public let keys: RegistryKeyStore
    public let vault: RegistryVault

    public init(store: any RegistryStore, keys: RegistryKeyStore, vault: RegistryVault) {
        self.store = store
        self.keys = keys
        self.vault = vault
    }

    /// The registry the settings describe, over an open ledger; `credential` is the text of the
    /// `registry-key` credential.
    public static func open(
        _ settings: Configuration.Registry?, store: any RegistryStore, credential: String?
    ) throws(RegistryError) -> Registry {
        guard let settings else { throw .notEnabled }
        guard let credential else { throw .noCredential }
        let vault: RegistryVault
        do {
            vault = try RegistryVault(credential: credential)
        } catch {
            throw .vault(error)
        }
        do {
            return Registry(store: store, keys: try RegistryKeyStore(path: settings.keys), vault: vault)
        } catch {
            throw .ledger(error)
        }
    }

    /// The next free id of the form `R2026-0001` (the year of `on`).
    public func nextID(on day: LocalDate) async throws(RegistryError) -> RegistrationID {
        let prefix = "R\(day.year)-"
        let taken = try await ledger { () async throws(LedgerError) in try await store.registrations() }
            .compactMap { $0.id.rawValue.hasPrefix(prefix) ? Int($0.id.rawValue.dropFirst(prefix.count)) : nil }
        let next = (taken.max() ?? 0) + 1
        return RegistrationID(prefix + String(repeating: "0", count: max(0, 4 - String(next).count)) + String(next))
    }

    /// Registers a new person (様式第1号); `.exists` if the id is taken.
    public func add(_ registration: Registration, by: String, at: Date) async throws(RegistryError) {
        if try await ledger({ () async throws(LedgerError) in try await store.registration(registration.id) }) != nil {
            throw .exists(registration.id)
        }
        try await save(
            registration, isNew: true, audit: RegistryAuditEntry(action: "registered", registrationID: registration.id, at: at, by: by))
    }

    /// Replaces a registration (様式第2号, 変更), resealed under its own data key; `.unknown` if
    /// there is none. `reason`: for the audit, which items changed (their labels, never values).
    public func update(_ registration: Registration, by: String, at: Date, reason: String? = nil) async throws(RegistryError) {
        try await save(
            registration, isNew: false,
            audit: RegistryAuditEntry(action: "updated", registrationID: registration.id, at: at, by: by, reason: reason))
    }

    /// The family confirmed that nothing changed (要綱 第6条第6項).
    public func confirm(_ id: RegistrationID, on day: LocalDate, by: String, at: Date) async throws(RegistryError) {
        guard var registration = try await registration(id) else { throw .unknown(id) }
        registration.confirmedOn = day
        try await save(registration, isNew: false, audit: RegistryAuditEntry(action: "confirmed", registrationID: id, at: at, by: by))
    }

    /// Ends a registration: its key destroyed first (every copy of its record is unreadable from
    /// then on), then its row deleted. False if there was none.
    @discardableResult
    public func remove(_ id: RegistrationID, reason: Registration.RemovalReason, by: String, at: Date) async throws(RegistryError) -> Bool {
        try await ledger { () async throws(LedgerError) in
            try await keys.destroy([id])
            return try await store.removeRegistration(
                id,
                audit: RegistryAuditEntry(
                    action: reason == .lapsed ? "purged" : "removed", registrationID: id, at: at, by: by, reason: reason.rawValue))
        }
    }

    /// Records a look at the registry that changes nothing (shown, listed, find, sheet).
    public func audit(_ entry: RegistryAuditEntry) async throws(RegistryError) {
        try await ledger { () async throws(LedgerError) in try await store.recordRegistryAudit(entry) }
    }

    /// One registration, opened; nil if there is none (or its key was destroyed).
    public func registration(_ id: RegistrationID) async throws(RegistryError) -> Registration? {
        guard let stored = try await ledger({ () async throws(LedgerError) in try await store.registration(id) }),
            let key = try await ledger({ () async throws(LedgerError) in try await keys.key(id) })
        else { return nil }
        return try opened(stored, key: key)
    }

    /// Opens the first registration that has a key: false when it does not open with this
    /// vault's credential; true when it does or there is none to try.
    public func openOne() async throws(RegistryError) -> Bool {
        let stored = try await ledger { () async throws(LedgerError) in try await store.registrations() }
        let allKeys = try await ledger { () async throws(LedgerError) in try await keys.keys() }
        guard let row = stored.first(where: { allKeys[$0.id] != nil }), let key = allKeys[row.id] else { return true }
        do {
            _ = try vault.open(.init(record: row.record, wrappedKey: key), id: row.id)
            return true
        } catch .wrongKey {
            return false
        } catch {
            throw .vault(error)
        }
    }

    /// Every registration, opened, by id.
    public func all() async throws(RegistryError) -> [Registration] {
        let stored = try await ledger { () async throws(LedgerError) in try await store.registrations() }
        let allKeys = try await ledger { () async throws(LedgerError) in try await keys.keys() }
        var opened: [Registration] = []
        for row in stored {
            guard let key = allKeys[row.id] else { continue }
            opened.append(try self.opened(row, key: key))
        }
        return opened
    }

    private func opened(_ row: StoredRegistration, key: Data) throws(RegistryError) -> Registration {
        try sealing { () throws(RegistryVaultError) in try vault.open(.init(record: row.record, wrappedKey: key), id: row.id) }
    }

    /// Purges every registration not reconfirmed within `grace` after its due date; returns
    /// their ids. Also destroys keys whose row is gone (a crash between the two writes).
    public func purgeLapsed(today: LocalDate, grace: Duration, at: Date) async throws(RegistryError) -> [RegistrationID] {
        let stored = try await ledger { () async throws(LedgerError) in try await store.registrations() }
        var purged: [RegistrationID] = []
        for row in stored where Reconfirmation.isDueForPurge(confirmedOn: row.confirmedOn, today: today, grace: grace) {
            // Read again just before the key goes: staff may have confirmed it since the list
            // was read, and a destroyed key cannot be taken back.
            guard let current = try await ledger({ () async throws(LedgerError) in try await store.registration(row.id) }),
                Reconfirmation.isDueForPurge(confirmedOn: current.confirmedOn, today: today, grace: grace)
            else { continue }
            if try await remove(row.id, reason: .lapsed, by: "mimamorid", at: at) { purged.append(row.id) }
        }
        // A key an hour old with no row: a crash between the two writes of an add. A younger one
        // may be an add still under way in the CLI.
        let live = Set(stored.map(\.id)).subtracting(purged)
        let old = try await ledger { () async throws(LedgerError) in try await keys.ids(storedBefore: at.addingTimeInterval(-3600)) }
        let orphans = old.filter { !live.contains($0) }
        if !orphans.isEmpty {
            // Read the rows again: an add may have committed its row since the first read.
            let now = Set(try await ledger { () async throws(LedgerError) in try await store.registrations() }.map(\.id))
            try await ledger { () async throws(LedgerError) in try await keys.destroy(orphans.filter { !now.contains($0) }) }
        }
        return purged
    }

    private func save(_ registration: Registration, isNew: Bool, audit: RegistryAuditEntry) async throws(RegistryError) {
        let sealed: RegistryVault.Sealed
        var reminded: (dueSoon: LocalDate?, overdue: LocalDate?) = (nil, nil)
        if isNew {
            sealed = try sealing { () throws(RegistryVaultError) in try vault.seal(registration) }
            // The key first: a crash before the row leaves a key with no row, which the sweep
            // destroys; never a row without its key. `add` found no row, so a key already there
            // is a crashed add's (an hour old: destroyed now) or another add of the same id
            // under way (refused, rather than replacing the key that add's row will need).
            if try await ledger({ () async throws(LedgerError) in try await keys.key(registration.id) }) != nil {
                let stale = try await ledger { () async throws(LedgerError) in
                    try await keys.ids(storedBefore: audit.at.addingTimeInterval(-3600))
                }
                guard stale.contains(registration.id) else { throw .exists(registration.id) }
                try await ledger { () async throws(LedgerError) in try await keys.destroy([registration.id]) }
            }
            try await ledger { () async throws(LedgerError) in try await keys.put(registration.id, wrapped: sealed.wrappedKey, at: audit.at)
            }
        } else {
            guard let stored = try await ledger({ () async throws(LedgerError) in try await store.registration(registration.id) }),
                let key = try await ledger({ () async throws(LedgerError) in try await keys.key(registration.id) })
            else { throw .unknown(registration.id) }
            sealed = try sealing { () throws(RegistryVaultError) in try vault.reseal(registration, wrappedKey: key) }
            // The reminders already sent stay sent: they name a due date, and a change of the
            // form (not of that date) must not have the staff phone the family a second time.
            reminded = (stored.remindedDueSoon, stored.remindedOverdue)
        }
        try await ledger { () async throws(LedgerError) in
            try await store.saveRegistration(
                StoredRegistration(
                    id: registration.id, record: sealed.record, registeredOn: registration.registeredOn,
                    confirmedOn: registration.confirmedOn, remindedDueSoon: reminded.dueSoon, remindedOverdue: reminded.overdue),
                isNew: isNew, audit: audit)
        }
    }

    private func sealing<T>(_ body: () throws(RegistryVaultError) -> T) throws(RegistryError) -> T {
        do {
            return try body()
        } catch {
            throw .vault(error)
        }
    }

    private func ledger<T>(_ body: () async throws(LedgerError) -> T) async throws(RegistryError) -> T {
        do {
            return try await body()
        } catch {
            throw .ledger(error)
        }
    }
}

/// Why the registry could not do what was asked; each says what to do.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    case notEnabled
    case noCredential
    case vault(RegistryVaultError)
    case ledger(LedgerError)
    case unknown(RegistrationID)
    case exists(RegistrationID)

    public var description: String {
        switch self {
        case .notEnabled: "the settings have no registry: section (add `registry: {}` to mimamori.yaml to turn it on)"
        case .noCredential:
            "the registry-key credential is missing (LoadCredential=registry-key:/etc/mimamori/credentials/registry-key, or --credentials DIR)"
        case .vault(let error): error.description
        case .ledger(let error): error.description
        case .unknown(let id): "registration \(id) is not in the registry (mimamori registry list)"
        case .exists(let id): "registration \(id) is already in the registry (use registry update)"
        }
    }

    /// Safe to log.
    public var code: String {
        switch self {
        case .notEnabled: "registry.not-enabled"
        case .noCredential: "registry.no-credential"
        case .vault(let error): error.code
        case .ledger(let error): "ledger.\(error.code)"
        case .unknown: "registry.unknown-id"
        case .exists: "registry.exists"
        }
    }
}

import Crypto
import Foundation

/// Seals and opens registrations (envelope encryption, AES-256-GCM through swift-crypto).
///
/// Each registration is sealed under a data key of its own; the data key is kept wrapped (sealed
/// under the town's `registry-key` credential) in the key store, apart from the ledger. Removing
/// a registration destroys its wrapped key, so every copy of the sealed bytes, backups included,
/// can no longer be opened, whoever holds the credential. Both seals bind the registration id as
/// authenticated data, so a sealed record or key moved onto another row does not open.
public struct RegistryVault: Sendable {
    // SymmetricKey is not Sendable; its bytes are, and a key is made of them for each use.
    let masterKeyBytes: Data
    var masterKey: SymmetricKey { SymmetricKey(data: masterKeyBytes) }

    public init(masterKey: SymmetricKey) {
        self.masterKeyBytes = masterKey.withUnsafeBytes { Data($0) }
    }

    /// The `registry-key` credential: 32 random bytes, base64 (`mimamori keygen --registry`
    /// writes one; `head -c 32 /dev/urandom | base64` does too).
    public init(credential text: String) throws(RegistryVaultError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed), bytes.count == 32 else { throw .badCredential }
        self.masterKeyBytes = bytes
    }

    /// A new credential's text.
    public static func newCredential() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
    }

    /// A registration sealed under a fresh data key, and that key wrapped.
    public struct Sealed: Sendable, Hashable {
        public var record: Data
        public var wrappedKey: Data
        public init(record: Data, wrappedKey: Data) {
            self.record = record
            self.wrappedKey = wrappedKey
        }
    }

    /// A new registration, sealed under a fresh data key, and that key wrapped.
    public func seal(_ registration: Registration) throws(RegistryVaultError) -> Sealed {
        let dataKey = SymmetricKey(size: .bits256)
        let keyBytes = dataKey.withUnsafeBytes { Data($0) }
        let wrapped: Data
        do {
            wrapped = try AES.GCM.seal(keyBytes, using: masterKey, authenticating: Self.keyLabel(registration.id)).combined!
        } catch {
            throw .sealFailed
        }
        return Sealed(record: try record(registration, key: dataKey), wrappedKey: wrapped)
    }

    /// A changed registration, sealed again under the data key it already has (`wrappedKey`):
    /// only the record is rewritten, so a crash can never leave a record without its key.
    public func reseal(_ registration: Registration, wrappedKey: Data) throws(RegistryVaultError) -> Sealed {
        let dataKey = try unwrap(wrappedKey, id: registration.id)
        return Sealed(record: try record(registration, key: dataKey), wrappedKey: wrappedKey)
    }

    func record(_ registration: Registration, key: SymmetricKey) throws(RegistryVaultError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            let plain = try encoder.encode(registration)
            return try AES.GCM.seal(plain, using: key, authenticating: Self.recordLabel(registration.id)).combined!
        } catch {
            throw .sealFailed
        }
    }

    func unwrap(_ wrappedKey: Data, id: RegistrationID) throws(RegistryVaultError) -> SymmetricKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrappedKey)
            return SymmetricKey(data: try AES.GCM.open(box, using: masterKey, authenticating: Self.keyLabel(id)))
        } catch {
            throw .wrongKey
        }
    }

    public func open(_ sealed: Sealed, id: RegistrationID) throws(RegistryVaultError) -> Registration {
        let dataKey = try unwrap(sealed.wrappedKey, id: id)
        let plain: Data
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.record)
            plain = try AES.GCM.open(box, using: dataKey, authenticating: Self.recordLabel(id))
        } catch {
            throw .damaged
        }
        do {
            let registration = try JSONDecoder().decode(Registration.self, from: plain)
            guard registration.id == id else { throw RegistryVaultError.damaged }
            return registration
        } catch {
            throw .damaged
        }
    }

    static func recordLabel(_ id: RegistrationID) -> Data { Data("mimamori.registration/1 \(id.rawValue)".utf8) }
    static func keyLabel(_ id: RegistrationID) -> Data { Data("mimamori.registration-key/1 \(id.rawValue)".utf8) }
}

/// Why a registration could not be sealed or opened; each says what the operator should do.
public enum RegistryVaultError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The credential is not 32 bytes of base64.
    case badCredential
    /// The wrapped data key does not open with this credential: another town's key, or the key
    /// was replaced.
    case wrongKey
    /// The sealed record does not open with its own data key, or is not a registration.
    case damaged
    case sealFailed

    public var description: String {
        switch self {
        case .badCredential:
            "the registry-key credential must be 32 random bytes in base64 (mimamori keygen --registry-key writes one)"
        case .wrongKey:
            "a registration's key does not open with the registry-key credential: restore the credential this registry was written with"
        case .damaged: "a registration's sealed record is damaged: restore the ledger from backup"
        case .sealFailed: "a registration could not be sealed"
        }
    }

    /// Safe to log.
    public var code: String {
        switch self {
        case .badCredential: "registry.bad-credential"
        case .wrongKey: "registry.wrong-key"
        case .damaged: "registry.damaged"
        case .sealFailed: "registry.seal-failed"
        }
    }
}

import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import Testing

/// With `registry:` on, the daemon starts only when it can open what the registry holds: an
/// alert must never go out quietly without the registration it names.
@Suite("mimamorid and the registry-key (real binary, broker, SMTP)", .serialized)
struct DaemonRegistryStartTests {
    static func registration() -> Registration {
        Registration(
            id: RegistrationID("R2026-0001"),
            person: .init(name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, dateOfBirth: LocalDate(1944, 5, 12)),
            registrant: .init(name: "紀美野 一郎", phone: "090-0000-0001"), registeredOn: LocalDate(2026, 4, 1))
    }

    @Test("no credential, or one the registry was not written with: exit 78 saying which; the right one: it consumes")
    func credential() async throws {
        try await withDaemonRig(options: .init(registry: "{}"), cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            // A registration sealed under another town's key.
            let ledger = try Ledger(path: rig.folder.ledgerPath)
            let foreign = Registry(
                store: ledger, keys: try RegistryKeyStore(path: rig.folder.registryKeysPath),
                vault: try RegistryVault(credential: RegistryVault.newCredential()))
            try await foreign.add(Self.registration(), by: "test", at: Date())

            let wrong = try rig.startDaemon()
            #expect(try await wrong.waitForExit(timeout: .seconds(30)) == .status(78), "\(wrong.tail())")
            let line = try #require(wrong.lines(event: "startup.failed").first, "\(wrong.tail())")
            #expect(line.contains("does not open with the registry-key credential"), "\(line)")

            try FileManager.default.removeItem(atPath: rig.folder.registryKeyPath)
            let missing = try rig.startDaemon()
            #expect(try await missing.waitForExit(timeout: .seconds(30)) == .status(78), "\(missing.tail())")
            #expect(
                missing.lines(event: "startup.failed").first?.contains("registry-key credential is missing") == true, "\(missing.tail())")

            // Written again with the folder's own key, it starts.
            try "\(DaemonFolder.registryKey)\n".write(toFile: rig.folder.registryKeyPath, atomically: true, encoding: .utf8)
            let own = Registry(
                store: ledger, keys: try RegistryKeyStore(path: rig.folder.registryKeysPath),
                vault: try RegistryVault(credential: DaemonFolder.registryKey))
            try await own.remove(RegistrationID("R2026-0001"), reason: .withdrawn, by: "test", at: Date())
            try await own.add(Self.registration(), by: "test", at: Date())
            let daemon = try await rig.startConsuming()
            #expect(daemon.lines(event: "startup.failed").isEmpty)
        }
    }
}

import Foundation
import Ledger
import MimamoriCore
import Testing

/// `RegistryKeyStore`: the registrations' wrapped data keys in a file of their own. A destroyed
/// (or replaced) key must leave neither the file nor its WAL: that is what makes every copy of a
/// removed registration unreadable.
@Suite("registry key store: a destroyed key leaves no byte behind")
struct RegistryKeyStoreTests {
    struct Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("registry-keys-\(UUID().uuidString)")
        var path: String { url.appendingPathComponent("registry-keys.sqlite").path }
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        func remove() { try? FileManager.default.removeItem(at: url) }

        func hits(of needle: Data) -> Int {
            ["", "-wal", "-shm", "-journal"].compactMap { FileManager.default.contents(atPath: path + $0) }.reduce(0) { count, bytes in
                var count = count
                var range = bytes.startIndex..<bytes.endIndex
                while let found = bytes.range(of: needle, in: range) {
                    count += 1
                    range = found.upperBound..<bytes.endIndex
                }
                return count
            }
        }
    }

    static func key(_ seed: UInt8) -> Data { Data((0..<60).map { UInt8(truncatingIfNeeded: Int($0) &* 31 &+ Int(seed)) }) }

    @Test(
        "put, read one and all, a second key for one registration refused, destroy (gone from the file and the WAL), the sweep's candidates by age, reopen"
    )
    func lifecycle() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let store = try RegistryKeyStore(path: folder.path)
        let a = RegistrationID("R2026-0001")
        let b = RegistrationID("R2026-0002")
        try await store.put(a, wrapped: Self.key(1), at: t0)
        try await store.put(b, wrapped: Self.key(2), at: t0)
        #expect(try await store.key(a) == Self.key(1))
        #expect(try await store.keys() == [a: Self.key(1), b: Self.key(2)])
        #expect(folder.hits(of: Self.key(1)) > 0, "the key is where the test looks")

        // A registration keeps its key until it is removed.
        do {
            try await store.put(a, wrapped: Self.key(3), at: t0)
            Issue.record("a second key was stored for one registration")
        } catch {
            #expect(error.code == .constraint)
        }
        #expect(try await store.key(a) == Self.key(1))

        try await store.destroy([a, RegistrationID("R404")])
        #expect(try await store.key(a) == nil)
        #expect(try await store.key(b) == Self.key(2))
        #expect(folder.hits(of: Self.key(1)) == 0, "a destroyed key is still in the files")
        try await store.destroy([])
        #expect(try await store.ids(storedBefore: t0.addingTimeInterval(1)) == [b])
        #expect(try await store.ids(storedBefore: t0).isEmpty)
        #expect(try await RegistryKeyStore(path: folder.path).keys() == [b: Self.key(2)])
    }

    @Test("a folder that cannot hold the file is refused, naming the path")
    func unusablePath() {
        do {
            _ = try RegistryKeyStore(path: "/proc/no-such-folder/registry-keys.sqlite")
            Issue.record("opened a key store where none can be")
        } catch {
            #expect([.cannotOpen, .storage].contains(error.code), "\(error)")
            #expect(error.description.contains("/proc/no-such-folder"), "\(error)")
        }
    }
}

import Foundation
import GRDB
import Ledger
import Logging
import MimamoriCore
import Outlets
import Testing

@testable import MimamoriDaemon
@testable import MimamoriService

/// The retention pass as a sweep on the real parts: a real ledger file, a second SQLite
/// connection holding a read snapshot, a real spool folder.
@Suite("Retention sweep")
struct RetentionSweepTests {
    static let name = "見守太郎スイープ"

    /// A case alerted on the radio at t0 and closed at once; its spool files and a neighbour's.
    static func closedCase(_ ledger: Ledger) async throws {
        var alert = alertIntake(fax: 0, email: 1, radio: true)
        alert.body = Data("{\"name\":\"\(name)\"}".utf8)
        _ = try await ledger.recordIntake(alert)
        let close = Intake(
            messageID: UUID().uuidString, caseID: CaseID("KN-0042"), municipality: "kimino", sequence: 2, eventKind: "closed",
            receivedAt: t0, body: Data("{\"name\":\"\(name)\"}".utf8),
            state: CaseSnapshot(name: "closed", data: Data("{}".utf8), closedAt: t0), cancelKinds: [.alert, .update])
        _ = try await ledger.recordIntake(close)
    }

    static func spool() throws -> (RadioSpool, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (RadioSpool(directory: folder.path), folder)
    }

    /// A spool file last changed at `modified` (default: now).
    static func write(_ name: String, in folder: URL, modified: Date? = nil) throws {
        let url = folder.appendingPathComponent(name)
        try Data("スクリプト \(Self.name)\n".utf8).write(to: url)
        if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path) }
    }

    static func names(in folder: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    }

    static func walBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
    }

    static func walHolds(_ needle: String, _ path: String) -> Bool {
        FileManager.default.contents(atPath: path + "-wal")?.range(of: Data(needle.utf8)) != nil
    }

    @Test(
        "a purge while another connection holds a read snapshot: committed, the spool files go at once, the WAL (with the old pages) is truncated at the next pass"
    )
    func purgeBesideAReader() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let ledger = try Ledger(path: file.path, configuration: .init(busyTimeout: 0.2))
        try await Self.closedCase(ledger)
        let (spool, folder) = try Self.spool()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["KN-0042.1.alert.radio.radio.txt", "KN-0042.1.alert.radio.radio.xml", "KN-0043.1.alert.radio.radio.txt"] {
            try Self.write(name, in: folder)
        }

        // A second connection (a backup tool, `mimamori status`) in the middle of a read.
        let readerPool = try DatabasePool(path: file.path)
        var snapshot: DatabaseSnapshot? = try readerPool.makeSnapshot()
        #expect(try await snapshot?.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") } == 2)
        let service = RetentionService(
            ledger: ledger, limits: { .init(retention: .seconds(86400), openCaseAlarm: .seconds(14 * 86400)) },
            logger: Logger(label: "test"), spool: spool)
        let now = t0.addingTimeInterval(31 * 86400)
        await service.sweep(now: now)

        #expect(try await ledger.status(case: CaseID("KN-0042"))?.purgedAt == now, "the purge is committed")
        #expect(Self.names(in: folder) == ["KN-0043.1.alert.radio.radio.txt"], "the purged case's files go whatever the WAL did")
        #expect(Self.walHolds(Self.name, file.path), "the reader keeps the WAL and its old page images")

        snapshot = nil  // the reader ends its transaction
        await service.sweep(now: now.addingTimeInterval(3600))
        #expect(Self.walBytes(file.path) == 0, "the owed truncate is done at the next pass")
        #expect(!Self.walHolds(Self.name, file.path))
        let main = try #require(FileManager.default.contents(atPath: file.path))
        #expect(main.range(of: Data(Self.name.utf8)) == nil)
        #expect(try await ledger.audit(case: CaseID("KN-0042")).filter { $0.event == "case.purged" }.count == 1)
    }

    @Test(
        "spool files of a purged case left by an earlier pass are swept at the next one; stray temporary files of a crashed write go once they are old"
    )
    func leftoversAreSwept() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        try await Self.closedCase(file.ledger)
        let now = t0.addingTimeInterval(31 * 86400)
        try await file.ledger.purge(retention: .zero, now: now)  // an earlier pass whose file removal failed
        let (spool, folder) = try Self.spool()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pass = now.addingTimeInterval(3600)
        try Self.write("KN-0042.2.termination.radio.radio.txt", in: folder)
        try Self.write(".KN-0043.1.alert.radio.radio.1a2b3c4d.tmp.txt", in: folder, modified: pass.addingTimeInterval(-3600))
        try Self.write(".KN-0043.1.alert.radio.radio.1a2b3c4d.tmp.wav", in: folder, modified: pass.addingTimeInterval(-3600))
        // A write in progress, and an open case's script.
        try Self.write(".KN-0044.1.alert.radio.radio.5e6f7a8b.tmp.txt", in: folder, modified: pass.addingTimeInterval(-5))
        try Self.write("KN-0044.1.alert.radio.radio.txt", in: folder, modified: pass.addingTimeInterval(-3600))

        let service = RetentionService(
            ledger: file.ledger, limits: { .init(retention: .seconds(86400), openCaseAlarm: .seconds(14 * 86400)) },
            logger: Logger(label: "test"), spool: spool)
        await service.sweep(now: pass)
        #expect(Self.names(in: folder) == [".KN-0044.1.alert.radio.radio.5e6f7a8b.tmp.txt", "KN-0044.1.alert.radio.radio.txt"])
    }
}

import Foundation
import Testing
import TestFixtures

#if canImport(Glibc)
    import Glibc
#endif

/// Article 14 through the real daemon: after closure plus the retention, the personal data
/// leaves the ledger file, bytes and all.
@Suite("mimamorid retention (real binary, broker, SMTP)", .serialized)
struct DaemonRetentionTests {
    @Test("a closed case is purged after the retention: the ledger file's bytes hold no name, kana, clothing, place, phone or cooperator address, the radio spool no script of it; a replay afterwards is ignored, not a stalled queue")
    func purgeRemovesPersonalData() async throws {
        var options = DaemonFolder.Options()
        options.retention = "3s"
        options.radioSpool = true
        let cooperators = DaemonFolder.cooperators(email: 5, fax: 2)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming(environment: ["MIMAMORI_PURGE_INTERVAL": "1"])
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let opened = sample.event("opened", sequence: 1, photo: true)
            try await rig.publisher.publish(opened)
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            // Before the purge the data is there: the search below can find it.
            #expect(try Self.hits(in: rig.folder.ledgerPath, of: [DaemonCase.Person.name]) == [DaemonCase.Person.name])
            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await daemon.waitForLine(event: "case.closed", containing: ["case=\(sample.caseID)"])
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "termination"], daemon: daemon)
            let spooled = { (try? FileManager.default.contentsOfDirectory(atPath: rig.folder.radioDirectory.path)) ?? [] }
            let caseFiles = { spooled().filter { $0.hasPrefix("\(sample.caseID).") } }
            #expect(caseFiles().count >= 4, "the radio's alert and end scripts are in the spool before the purge: \(spooled())")
            let purged = try await daemon.waitForLine(event: "case.purged", containing: ["case=\(sample.caseID)"], timeout: .seconds(60))
            #expect(!purged.contains(DaemonCase.Person.name))
            // The radio scripts (kana name, age, clothing) go with the ledger's data.
            #expect(caseFiles().isEmpty, "radio spool files left after the purge: \(caseFiles())")
            #expect(purged.contains("files="), "\(purged)")

            // A purged case stays closed: a replay of its alert and a late update are acked and
            // ignored (not a stalled queue), and nothing is planned again.
            let countDeliveries = "SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)'"
            let deliveriesBefore = try rig.sql(countDeliveries)
            try await rig.publisher.publish(opened)
            try await rig.publisher.publish(sample.event("updated", sequence: 3))
            try await daemon.waitForLine(event: "intake.ignored", containing: ["case=\(sample.caseID)"], count: 2)
            let ignored = daemon.lines(event: "intake.ignored", containing: ["case=\(sample.caseID)"])
            #expect(ignored.map { logField("reason", of: $0) } == ["case.repeated-message", "case.after-closure"])
            #expect(try rig.sql(countDeliveries) == deliveriesBefore)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")

            var secrets = DaemonCase.Person.all.filter { $0.count > 3 }
            for cooperator in cooperators { secrets += [cooperator.name, cooperator.address] }
            let found = try Self.hits(in: rig.folder.ledgerPath, of: secrets)
            #expect(found.isEmpty, "personal data left in the ledger after the purge: \(found)")
            // Ids, counts and states remain for the audit.
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)' AND state = 'delivered'") != ["0"])
        }
    }

    /// Which of `secrets` occur (as UTF-8 bytes) in the SQLite file or its -wal / -shm.
    static func hits(in path: String, of secrets: [String]) throws -> [String] {
        var files: [Data] = []
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { files.append(data) }
        }
        guard !files.isEmpty else { throw FixtureError("no ledger at \(path)") }
        return secrets.filter { secret in
            let bytes = Data(secret.utf8)
            return files.contains { $0.range(of: bytes) != nil }
        }
    }
}

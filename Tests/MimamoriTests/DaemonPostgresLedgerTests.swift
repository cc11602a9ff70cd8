import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

/// The real daemon and CLI with `ledger: { url: postgres://… }`: a case from alert to closure
/// recorded in PostgreSQL (the password from the `ledger-password` credential), no SQLite file
/// made, and the staff's commands reading the same ledger.
@Suite("mimamorid on the PostgreSQL ledger (real binary, broker, SMTP, PostgreSQL)", .serialized)
struct DaemonPostgresLedgerTests {
    @Test("a case from alert to closure: every cooperator alerted and terminated once; report and status read PostgreSQL")
    func wholeCase() async throws {
        let server = try PostgresServer.fromEnvironment()
        let database = try server.createDatabase()
        defer { database.drop() }
        // The settings carry no password: it goes to the credential.
        var options = DaemonFolder.Options()
        try options.useLedger(on: database)
        options.radioSpool = true
        let cooperators = DaemonFolder.cooperators(email: 6, fax: 3)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let alerted = try await rig.states(sample.caseID)
            #expect(alerted == ["alert/delivered": 10], "\(alerted)")

            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await daemon.waitForLine(event: "case.closed")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "termination"], daemon: daemon)
            let states = try await rig.states(sample.caseID)
            #expect(states["alert/delivered"] == 10 && states["termination/delivered"] == 10, "\(states)")
            try await rig.waitForMail(18, daemon: daemon)
            #expect(rig.smtp.receivedCount() == 18, "6 volunteers and 3 FAX machines, alerted and terminated once each")

            #expect(!FileManager.default.fileExists(atPath: rig.folder.ledgerPath), "the daemon made a SQLite ledger beside PostgreSQL")
            let rows = try server.psql(
                "SELECT kind || '=' || count(*) FROM deliveries WHERE case_id = '\(sample.caseID)' GROUP BY kind ORDER BY kind",
                database: database.name)
            // The closure also planned the destruction reminders of the nine holders (not the radio).
            #expect(rows.split(separator: "\n").sorted() == ["alert=10", "destruction-reminder=9", "termination=10"], "\(rows)")
            let report = try rig.cli(["report", sample.caseID]).split(separator: "\n")
            #expect(report.filter { $0.contains("\talert\t") && $0.contains("\tdelivered\t") }.count == 10, "\(report)")
            #expect(report.filter { $0.contains("\ttermination\t") && $0.contains("\tdelivered\t") }.count == 10, "\(report)")
            let status = try rig.cli(["status"])
            #expect(status.contains(sample.caseID), "\(status)")
        }
    }
}

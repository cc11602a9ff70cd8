import Foundation
import Testing
import TestFixtures

#if canImport(Glibc)
    import Glibc
#endif

/// The real `mimamorid` under a test socket as systemd: READY once broker, topology and ledger
/// are up, STOPPING on SIGTERM, exit 0.
@Suite("mimamorid lifecycle (real binary, broker, SMTP)", .serialized)
struct DaemonLifecycleTests {
    @Test("READY=1 with STATUS= on NOTIFY_SOCKET, STOPPING=1 on SIGTERM, exit status 0")
    func readyAndStopping() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 3, fax: 1)) { rig in
            let notify = try NotifySocket(directory: rig.folder.directory)
            defer { notify.stop() }
            let daemon = try rig.startDaemon(notify: notify)
            let ready = try await notify.waitFor("READY=1", daemon: daemon)
            let startToReady = ready.at - daemon.started
            print("e2e figure: start→READY \(startToReady.ms) ms (debug build)")
            let status = ready.assignments.first { $0.hasPrefix("STATUS=") }
            #expect(status != nil, "READY=1 comes with a STATUS= line: \(ready.text)")
            #expect(status?.contains(rig.folder.casesQueue) == true)
            #expect(status?.contains("4 cooperators") == true, "\(status ?? "-")")
            // READY means the ledger is open and the queue exists.
            #expect(FileManager.default.fileExists(atPath: rig.folder.ledgerPath))
            let started = try await daemon.waitForLine(event: "daemon.started")
            #expect(started.contains("email=3") && started.contains("fax=1"), "\(started)")

            try await daemon.waitForLine(event: "intake.consuming")
            let readyCount = notify.received.count
            daemon.signal(SIGTERM)
            try await notify.waitFor("STOPPING=1", after: readyCount, timeout: .seconds(30), daemon: daemon)
            let exit = try await daemon.waitForExit(timeout: .seconds(30))
            #expect(exit == .status(0), "\(exit)\n\(daemon.tail())")
            #expect(!daemon.lines(event: "daemon.stopped").isEmpty, "\(daemon.tail())")
            // STOPPING comes after READY, and nothing is sent after it but a status.
            let order = notify.assignments.filter { $0 == "READY=1" || $0 == "STOPPING=1" }
            #expect(order == ["READY=1", "STOPPING=1"], "\(notify.assignments)")
        }
    }
}

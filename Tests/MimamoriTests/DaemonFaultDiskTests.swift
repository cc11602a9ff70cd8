import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fault: the file system that holds the ledger fills up while the daemon runs.
@Suite("faults: the ledger's disk full (real mimamorid on a small tmpfs)", .serialized)
struct DaemonFaultDiskTests {
    /// A 4 MiB tmpfs: room for the ledger, its WAL and shared memory, then a filler takes the rest.
    static let size = "4m"

    /// Mounts a tmpfs of `size` on a fresh folder, runs `body`, always unmounts and removes it.
    func withTmpfs<T>(_ body: (URL) async throws -> T) async throws -> T {
        let mountPoint = try ServerProcess.temporaryDirectory("ledger-tmpfs")
        do {
            _ = try runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(Self.size),mode=0700", "tmpfs", mountPoint.path])
        } catch {
            try? FileManager.default.removeItem(at: mountPoint)
            throw FixtureError(
                "cannot mount a tmpfs for the disk-full test (it needs root or CAP_SYS_ADMIN; the test does not fake a full disk): \(error)"
            )
        }
        func unmount() {
            // The daemon is gone by now; a lazy unmount as a last resort never leaves it mounted.
            if (try? runTool("/usr/bin/umount", [mountPoint.path])) == nil {
                _ = try? runTool("/usr/bin/umount", ["-l", mountPoint.path])
            }
            try? FileManager.default.removeItem(at: mountPoint)
        }
        do {
            let result = try await body(mountPoint)
            unmount()
            return result
        } catch {
            unmount()
            throw error
        }
    }

    /// Writes `filler` until its file system refuses more (ENOSPC); returns the bytes written.
    func fill(_ filler: URL) throws -> Int {
        let fd = open(filler.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw FixtureError("open \(filler.path): errno \(errno)") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0xA5, count: 4096)
        var written = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                written += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == ENOSPC { break }
            if n == 0 { break }
            throw FixtureError("write \(filler.path): errno \(errno)")
        }
        return written
    }

    @Test(
        "ledger disk full: the case stays unacked with the broker, intake.stalled says why, the daemon keeps running; space back: recorded and delivered"
    )
    func ledgerDiskFull() async throws {
        try await withTmpfs { mountPoint in
            var options = DaemonFolder.Options()
            options.ledgerDirectory = mountPoint
            let cooperators = DaemonFolder.cooperators(email: 20, fax: 0)
            try await withDaemonRig(options: options, cooperators: cooperators) { rig in
                let daemon = try await rig.startConsuming()
                // A first case goes through normally (the ledger is in use, not just created).
                let before = DaemonCase(municipality: rig.folder.municipality)
                try await rig.publisher.publish(before.event("opened", sequence: 1))
                try await daemon.waitForLine(event: "case.opened", containing: ["case=\(before.caseID)"])
                try await rig.waitForMail(cooperators.count, daemon: daemon)

                let filler = mountPoint.appendingPathComponent("filler")
                let filled = try fill(filler)
                let full = ContinuousClock.now
                let sample = DaemonCase(municipality: rig.folder.municipality)
                try await rig.publisher.publish(sample.event("opened", sequence: 1))

                // The daemon says so, more than once (it retries), and does not ack.
                let stalled = try await daemon.waitForLine(event: "intake.stalled", count: 2, timeout: .seconds(30))
                #expect(stalled.contains("code="), "\(stalled)")
                let hint = daemon.lines(event: "intake.hint").first ?? ""
                // The broker's queue statistics lag a little: wait for them to show the message,
                // held unacked by the daemon (or ready again).
                var counts = (ready: 0, unacked: 0)
                try await waitUntil(
                    "the broker shows the case's message still in the queue, unacked", timeout: .seconds(20), daemon: daemon
                ) {
                    counts = try await rig.casesQueueCounts()
                    return counts.ready + counts.unacked == 1
                }
                #expect(daemon.lines(event: "case.opened", containing: ["case=\(sample.caseID)"]).isEmpty)
                #expect(try rig.sql("SELECT count(*) FROM events WHERE case_id = '\(sample.caseID)'") == ["0"])
                #expect(daemon.exitStatus == nil, "mimamorid ended on a full disk")
                let stalls = try rig.metric("mimamori_intake_stalls_total")
                #expect(stalls >= 2)
                let health = try rig.health()
                #expect(health.status == 503 && health.text.contains("intake stalled"), "/healthz on a full ledger disk: \(health)")
                print("fault figure: ledger disk full (filler \(filled) bytes): \(stalled)")
                print("fault figure: ledger disk full: \(hint); queue \(counts); stalls metric \(Int(stalls)); /healthz: \(health)")

                // Space comes back: the same message is recorded, acked and delivered.
                try FileManager.default.removeItem(at: filler)
                let freed = ContinuousClock.now
                try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"], timeout: .seconds(30))
                let recovered = ContinuousClock.now - freed
                let healthBack = try rig.health()
                #expect(healthBack.status == 200, "/healthz once space is back: \(healthBack)")
                try await rig.waitForMail(2 * cooperators.count, daemon: daemon)
                try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
                #expect(try await rig.states(sample.caseID) == ["alert/delivered": cooperators.count])
                #expect(try rig.sql("SELECT count(*) FROM events") == ["2"])
                #expect(try rig.eventsRecordedTwice().isEmpty)
                try await waitUntil("the cases queue is empty and nothing is unacked", daemon: daemon) {
                    let counts = try await rig.casesQueueCounts()
                    return counts.ready == 0 && counts.unacked == 0
                }
                let tally = try MailTally(rig.smtp)
                #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
                print(
                    "fault figure: ledger disk full: \(daemon.lines(event: "intake.stalled").count) intake.stalled lines over "
                        + "\((freed - full).ms) ms, lost 0, duplicates \(tally.duplicatesByMessageID); space back → recorded \(recovered.ms) ms"
                )
                daemon.signal(SIGTERM)
                #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
            }
        }
    }
}

import Foundation
import Synchronization
import TestFixtures
import Testing

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
            if let rss = Self.residentKiB(daemon.pid) { print("e2e figure: idle \(rss) kB RSS after start (debug build)") }
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

    @Test("WATCHDOG_USEC set: WATCHDOG=1 pings arrive after READY=1, while idle and during a fan-out")
    func watchdogPings() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 200, fax: 0)) { rig in
            let notify = try NotifySocket(directory: rig.folder.directory)
            defer { notify.stop() }
            let daemon = try rig.startDaemon(notify: notify, environment: ["WATCHDOG_USEC": "2000000"])
            let ready = try await notify.waitFor("READY=1", daemon: daemon)
            try await waitUntil(
                "3 WATCHDOG=1 pings while idle (got \(notify.assignments.filter { $0 == "WATCHDOG=1" }.count))", timeout: .seconds(30),
                daemon: daemon
            ) {
                notify.received.filter { $0.at > ready.at && $0.assignments.contains("WATCHDOG=1") }.count >= 3
            }
            let beforeCase = notify.received.count
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitForMail(200, daemon: daemon)
            try await notify.waitFor("WATCHDOG=1", after: beforeCase, daemon: daemon)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0))
        }
    }

    @Test("idle after start, the daemon gives back what start-up touched: its resident set falls, and a case after that reaches everyone")
    func idleMemoryReturned() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 20, fax: 0)) { rig in
            let notify = try NotifySocket(directory: rig.folder.directory)
            defer { notify.stop() }
            let daemon = try rig.startDaemon(notify: notify)
            _ = try await notify.waitFor("READY=1", daemon: daemon)
            let atReady = try #require(Self.residentKiB(daemon.pid))
            // The return comes one second after the group starts; start-up has left the
            // program's pages mapped until then (tens of MiB in a debug build).
            try await waitUntil(
                "the resident set below \(atReady * 3 / 4) KiB (at READY \(atReady) KiB)", timeout: .seconds(20), daemon: daemon
            ) {
                (Self.residentKiB(daemon.pid) ?? .max) < atReady * 3 / 4
            }
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitForMail(20, daemon: daemon)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0))
        }
    }

    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }

    @Test("SIGTERM the instant READY=1 arrives (systemctl start; systemctl stop) is a graceful stop: STOPPING=1, exit status 0")
    func stopRightAfterReady() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 2, fax: 0)) { rig in
            let signalled = Mutex<Bool>(false)
            let pid = Mutex<Int32>(0)
            let notify = try NotifySocket(directory: rig.folder.directory) { message in
                guard message.assignments.contains("READY=1") else { return }
                // (Never kill(0, …): that would signal the test's own process group.)
                pid.withLock { pid in
                    if pid > 0 { kill(pid, SIGTERM) }
                    pid = -1
                }
                signalled.withLock { $0 = true }
            }
            defer { notify.stop() }
            let daemon = try rig.startDaemon(notify: notify)
            let readyBeforePid = pid.withLock { pid in
                defer { pid = daemon.pid }
                return pid == -1
            }
            if readyBeforePid { daemon.signal(SIGTERM) }
            let exit = try await daemon.waitForExit(timeout: .seconds(30))
            #expect(signalled.withLock { $0 })
            #expect(exit == .status(0), "\(exit)\n\(daemon.tail())")
            #expect(notify.assignments.contains("STOPPING=1"), "\(notify.assignments)")
            #expect(!daemon.lines(event: "daemon.stopped").isEmpty, "\(daemon.tail())")
        }
    }
}

/// SIGHUP: settings, directory and templates are read again; a file that fails validation keeps
/// the old ones in force and says why.
@Suite("mimamorid reload (real binary, broker, SMTP)", .serialized)
struct DaemonReloadTests {
    @Test(
        "SIGHUP with a broken cooperators.csv keeps the old directory (settings.problem, settings.kept); a valid one is taken (settings.reloaded)"
    )
    func brokenDirectoryIsKept() async throws {
        let old = DaemonFolder.cooperators(email: 6, fax: 1, prefix: "a")
        let new = DaemonFolder.cooperators(email: 5, fax: 0, prefix: "b")
        try await withDaemonRig(cooperators: old) { rig in
            let notify = try NotifySocket(directory: rig.folder.directory)
            defer { notify.stop() }
            let daemon = try rig.startDaemon(notify: notify)
            try await notify.waitFor("READY=1", daemon: daemon)
            try await daemon.waitForLine(event: "intake.consuming")

            // 1. A header without the channel column: the whole file is unusable.
            let header = "id,name,address,areas,municipality,active\n"
            try rig.folder.writeCooperatorsFile(
                header + new.map { "\($0.id),\($0.name),\($0.address),,\(rig.folder.municipality),yes" }.joined(separator: "\n"))
            let beforeFirst = notify.received.count
            daemon.signal(SIGHUP)
            let kept = try await daemon.waitForLine(event: "settings.kept")
            #expect(kept.contains("level=error") && kept.contains("count=1"), "\(kept)")
            let problem = try await daemon.waitForLine(event: "settings.problem", containing: ["channel"])
            #expect(problem.contains("cooperators.csv"), "\(problem)")
            // systemd hears RELOADING=1 then READY=1 again.
            try await notify.waitFor("READY=1", after: beforeFirst, daemon: daemon)
            #expect(notify.received.dropFirst(beforeFirst).flatMap(\.assignments).prefix(2) == ["RELOADING=1", "READY=1"])

            // 2. The new rows with one bad row among them: nothing of it is taken either.
            var rows = new.map { "\($0.id),\($0.name),\($0.channel),\($0.address),,\(rig.folder.municipality),yes" }
            rows.insert("b-bad-1,伝書鳩の会,pigeon,roof@example.jp,,\(rig.folder.municipality),yes", at: 2)
            try rig.folder.writeCooperatorsFile("id,name,channel,address,areas,municipality,active\n" + rows.joined(separator: "\n") + "\n")
            daemon.signal(SIGHUP)
            try await daemon.waitForLine(event: "settings.kept", count: 2)
            let rowProblem = try await daemon.waitForLine(event: "settings.problem", containing: ["b-bad-1"])
            #expect(rowProblem.contains("line 4") && rowProblem.contains("channel"), "\(rowProblem)")
            #expect(!rowProblem.contains("伝書鳩") && !rowProblem.contains("roof@"), "a problem names the row, not its data: \(rowProblem)")
            #expect(daemon.lines(event: "settings.reloaded").isEmpty)

            // A case now still reaches the old directory.
            let first = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(first.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(first.caseID)"])
            try await rig.waitUntilSettled(first.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(old.count, daemon: daemon)
            let afterFirst = try MailTally(rig.smtp)
            #expect(Set(afterFirst.mails.map(\.recipient)) == Set(old.map(\.envelopeRecipient)))
            #expect(afterFirst.mails.count == old.count)

            // 3. A valid file: taken, and the next case reaches the new directory only.
            try rig.folder.writeCooperators(new)
            daemon.signal(SIGHUP)
            let reloaded = try await daemon.waitForLine(event: "settings.reloaded")
            #expect(reloaded.contains("email=\(new.count)") && reloaded.contains("fax=0"), "\(reloaded)")
            let second = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(second.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(second.caseID)"])
            try await rig.waitUntilSettled(second.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(old.count + new.count, daemon: daemon)
            let all = try MailTally(rig.smtp)
            let secondRecipients = all.mails.dropFirst(afterFirst.mails.count).map(\.recipient)
            #expect(Set(secondRecipients) == Set(new.map(\.envelopeRecipient)))
            #expect(secondRecipients.count == new.count)

            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("SIGHUP the instant READY=1 arrives (systemctl start; systemctl reload) reloads, and does not kill the daemon")
    func reloadRightAfterReady() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 2, fax: 0)) { rig in
            let pid = Mutex<Int32>(0)
            let notify = try NotifySocket(directory: rig.folder.directory) { message in
                // (Never kill(0, …): that would signal the test's own process group.)
                guard message.assignments.contains("READY=1") else { return }
                pid.withLock { pid in
                    if pid > 0 { kill(pid, SIGHUP) }
                    pid = -1
                }
            }
            defer { notify.stop() }
            let daemon = try rig.startDaemon(notify: notify)
            // Had READY=1 come before the pid was known, the SIGHUP goes now.
            let readyBeforePid = pid.withLock { pid in
                defer { pid = daemon.pid }
                return pid == -1
            }
            if readyBeforePid { daemon.signal(SIGHUP) }
            try await notify.waitFor("READY=1", daemon: daemon)
            try await daemon.waitForLine(event: "settings.reloaded", timeout: .seconds(30))
            #expect(daemon.exitStatus == nil, "mimamorid died of the SIGHUP: \(daemon.exitStatus.map { "\($0)" } ?? "")")
            try await daemon.waitForLine(event: "intake.consuming")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

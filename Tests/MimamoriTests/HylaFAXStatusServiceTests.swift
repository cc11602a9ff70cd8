import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriService
import Outlets
import Testing

@Suite("HylaFAX's queues read for what became of each FAX (a recorded faxstat listing, no modem)")
struct HylaFAXStatusServiceTests {
    /// A folder with `sendfax` and `faxstat` stand-ins: `faxstat` prints `listing` as HylaFAX's
    /// would, or fails with status 2 when `listing` is nil.
    static func programs(listing: String?) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hylafax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let listingFile = directory.appendingPathComponent("listing")
        try (listing ?? "").write(to: listingFile, atomically: true, encoding: .utf8)
        let faxstat =
            listing == nil
            ? "#!/bin/sh\necho 'faxstat: Can not reach server at host \"localhost\", port 4559.' >&2\nexit 2\n"
            : "#!/bin/sh\n[ \"$1 $2\" = \"-s -d\" ] || exit 3\ncat '\(listingFile.path)'\n"
        for (name, script) in [
            ("sendfax", "#!/bin/sh\necho 'request id is 1 (group id 1) for host localhost (1 file)'\n"), ("faxstat", faxstat),
        ] {
            let file = directory.appendingPathComponent(name)
            try script.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return directory
    }

    static func service(_ ledger: Ledger, programs: URL, log: CapturedLog) throws -> HylaFAXStatusService {
        let outlet = try FaxOutlet(
            configuration: .init(method: .hylaFAX(.init(sendfax: programs.appendingPathComponent("sendfax").path))),
            logger: Logger(label: "test"))
        return HylaFAXStatusService(ledger: ledger, outlet: outlet, spacing: FaxLineSpacing(), logger: log.logger)
    }

    @Test("done is transmitted, given up on a busy line is dialled again, still queued waits, gone is said")
    func outcomes() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 4, email: 0))
        let jobs = try await file.ledger.claimDue(now: t0, channel: .fax, limit: 10)
        for (index, job) in jobs.enumerated() {
            try await file.ledger.recordFaxJob("\(118 + index)", for: job.id)
            try await file.ledger.record(.delivered(at: t0.addingTimeInterval(10)), for: job.id)
        }
        let listing = """
            HylaFAX scheduler on localhost: Running
            Modem ttyACM0 (+81.73.489.5999): Running and idle

            JID  Pri S  Owner Number       Pages Dials     TTS Status
            119  127 S mimamo 0734899961     0:1   2:12   10:41 Busy signal detected

            JID  Pri S  Owner Number       Pages Dials     TTS Status
            118  127 D mimamo 0734899960     1:1   1:12         
            120  127 F mimamo 0734899963     0:1  12:12         Busy signal detected
            """
        let programs = try Self.programs(listing: listing)
        defer { try? FileManager.default.removeItem(at: programs) }
        let log = CapturedLog()
        let service = try Self.service(file.ledger, programs: programs, log: log)
        let now = t0.addingTimeInterval(120)
        #expect(await service.look(now: now) == 2)
        let report = try await file.ledger.report(case: CaseID("KN-0042"))
        func line(_ index: Int) throws -> ReportLine { try #require(report.first { $0.deliveryID == jobs[index].id }) }
        #expect(try line(0).transmission == "transmitted")
        #expect(try line(1).state == .delivered && line(1).transmission == nil)
        #expect(try line(2).state == .planned && line(2).lastErrorCode == "fax-busy")
        #expect(try await file.ledger.nextDue(channel: .fax) == now.addingTimeInterval(180))
        #expect(try line(3).transmission == nil)
        // A second look records nothing new; the job gone from the listing is said once.
        #expect(await service.look(now: now.addingTimeInterval(60)) == 0)
        let lines = log.lines.withLock { $0 }
        #expect(lines.filter { $0.hasPrefix("fax.faxstat.unlisted") }.count == 1)
        #expect(lines.allSatisfy { !$0.contains("0734899") })
    }

    @Test("faxstat failing is one warning, not a line a minute, and its recovery is said")
    func failing() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 1, email: 0))
        let job = try #require(try await file.ledger.claimDue(now: t0, channel: .fax, limit: 1).first)
        try await file.ledger.recordFaxJob("118", for: job.id)
        try await file.ledger.record(.delivered(at: t0), for: job.id)
        let broken = try Self.programs(listing: nil)
        defer { try? FileManager.default.removeItem(at: broken) }
        let log = CapturedLog()
        let service = try Self.service(file.ledger, programs: broken, log: log)
        #expect(await service.look(now: t0) == 0)
        #expect(await service.look(now: t0.addingTimeInterval(60)) == 0)
        #expect(log.lines.withLock { $0 }.filter { $0.hasPrefix("fax.faxstat.failed") }.count == 1)
        #expect(try await file.ledger.faxJobsAwaitingOutcome(limit: 5).count == 1)
    }
}

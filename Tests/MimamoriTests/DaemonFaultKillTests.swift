import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fault: the process dies (kill -9) again and again in the middle of one large fan-out.
@Suite("faults: kill -9 ten times during one fan-out of 2,000 (real mimamorid)", .serialized)
struct DaemonFaultKillTests {
    static let volunteers = 2_000
    static let sessions = 8
    /// What one crash can send twice: deliveries an SMTP session had taken whose outcome was not
    /// yet committed — mimamorid keeps eight per session in hand (DaemonOutlets).
    static let inFlightWindow = 8 * sessions
    static let kills = 10

    /// One kill: when, where the fan-out stood, what the ledger had in flight.
    struct Kill {
        var number: Int
        var delay: Duration
        var receivedBefore: Int
        var receivedAtKill: Int
        var sendingAtKill: Int
    }

    /// The alert is accepted once; then ten times: let the daemon send for a random while
    /// (seeded; at most until its share of the fan-out — so all ten kills fall inside it), kill -9,
    /// restart on the same ledger. After the last restart every volunteer has the alert, and
    /// the copies sent twice are no more than what was `sending` at the kills (each ≤ the
    /// in-flight window, 8 × `email.sessions`).
    @Test("kill -9 at ten random points of a 2,000-volunteer fan-out: everyone alerted, duplicates ≤ 10 × the in-flight window")
    func killTenTimes() async throws {
        let seed = SeededGenerator.seedFromEnvironment()
        var random = SeededGenerator(seed: seed)
        print("fault figure: kill -9 ×\(Self.kills): seed \(seed) (replay with MIMAMORI_FAULT_SEED=\(seed))")
        var options = DaemonFolder.Options()
        options.emailSessions = Self.sessions
        let cooperators = DaemonFolder.cooperators(email: Self.volunteers, fax: 0)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            var daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let began = ContinuousClock.now
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])

            var kills: [Kill] = []
            for number in 1...Self.kills {
                // The daemon is sending (again): at least one more message arrived.
                let before = rig.smtp.receivedCount()
                try await rig.waitForMail(before + 1, daemon: daemon, timeout: .seconds(60))
                // A random instant from now, but no later than this kill's share of the fan-out.
                let delay = Duration.milliseconds(Int.random(in: 50...1_500, using: &random))
                let share = Self.volunteers * number / (Self.kills + 1)
                let until = ContinuousClock.now + delay
                while ContinuousClock.now < until && rig.smtp.receivedCount() < share {
                    try await Task.sleep(for: .milliseconds(10))
                }
                daemon.signal(SIGKILL)
                #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .signal(SIGKILL))
                let received = rig.smtp.receivedCount()
                let sending = try rig.deliveryStates()["email/sending"] ?? 0
                kills.append(Kill(number: number, delay: delay, receivedBefore: before, receivedAtKill: received, sendingAtKill: sending))
                print(
                    "fault figure: kill -9 #\(number): after \(delay.ms) ms (drawn), SMTP had \(received)/\(Self.volunteers) "
                        + "(\(before) when this daemon was seen sending), ledger sending=\(sending)")
                // `sending` also counts what was claimed ahead and never handed to a session: those
                // are resumed after the restart, not duplicated, so it is no bound by itself.
                #expect(received < Self.volunteers, "kill #\(number) came after the fan-out ended: it proved nothing")
                daemon = try rig.startDaemon()
            }

            let restarted = ContinuousClock.now
            try await rig.waitForMail(Self.volunteers, daemon: daemon, timeout: .seconds(120))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let lastRestartToComplete = ContinuousClock.now - restarted
            let tally = try MailTally(rig.smtp)
            let everyone = Set(cooperators.map(\.envelopeRecipient))
            let alerted = tally.recipients(of: "alert")
            #expect(alerted == everyone, "\(everyone.subtracting(alerted).count) volunteers never got the alert")
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": Self.volunteers])
            #expect(try rig.eventsRecordedTwice().isEmpty)
            #expect(try rig.sql("SELECT count(*) FROM events") == ["1"], "the event was recorded more than once")

            let inFlightAtKills = kills.map(\.sendingAtKill).reduce(0, +)
            print(
                "fault figure: kill -9 ×\(Self.kills) during one fan-out of \(Self.volunteers): lost 0 "
                    + "(\(alerted.count)/\(everyone.count) alerted), duplicates by Message-ID \(tally.duplicatesByMessageID), "
                    + "by recipient \(tally.duplicatesByRecipient); sending at the kills \(inFlightAtKills) in all; "
                    + "bound \(Self.kills) × \(Self.inFlightWindow) = \(Self.kills * Self.inFlightWindow); "
                    + "last restart→complete \(lastRestartToComplete.ms) ms; whole test \((ContinuousClock.now - began).ms) ms")
            // Only a delivery left `sending` by a kill is sent again.
            #expect(tally.duplicatesByMessageID <= inFlightAtKills)
            #expect(tally.duplicatesByMessageID <= Self.kills * Self.inFlightWindow)
            #expect(tally.duplicatesByRecipient == tally.duplicatesByMessageID)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

import AMQP
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A genuine alert refused because of the town's own setup (here: the police side rotated its
/// key and the new public key was not installed yet) is not lost: the operator lists the dead
/// letters, fixes the cause and replays them; the daemon checks them again from the start.
@Suite("mimamori dead-letters: list and replay (real binary, broker, SMTP)", .serialized)
struct DaemonDeadLetterReplayTests {
    @Test(
        "an alert signed with a key not yet installed is dead-lettered; once installed, `mimamori dead-letters --replay --reason signature.unknown-key` gets it delivered; garbage stays"
    )
    func replayAfterTheKeyIsInstalled() async throws {
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let rotated = EventSigner.generate(name: "police-2027")
            let signer = try EventSigner(keyID: "police-2027", privateKeyFileContents: rotated.privateKey)
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let opened = sample.event("opened", sequence: 1)
            let body = try DaemonCase.json(opened)
            try await rig.publisher.publish(body, messageID: opened["messageId"] as? String, headers: try signer.headers(for: body))
            try await rig.publisher.publish(Array("not json".utf8), messageID: "garbage-1")
            try await daemon.waitForLine(event: "intake.rejected", count: 2)
            #expect(rig.smtp.receivedCount() == 0)

            // Listing shows ids and reasons, never the event, and leaves the queue as it was.
            let listing = try rig.cli(["dead-letters", "--broker", rig.broker.url])
            #expect(listing.contains("reason=signature.unknown-key") && listing.contains("case=\(sample.caseID)"), "\(listing)")
            #expect(listing.contains("reason=body.not-json") && listing.contains("msg=garbage-1"), "\(listing)")
            // Its body was not kept: the listing gives its size and digest instead.
            #expect(listing.contains("bytes=8\tsha256=\(DeadLetterBody.sha256(Array("not json".utf8)))\tbody=not-kept"), "\(listing)")
            #expect(listing.contains("2 dead-lettered"), "\(listing)")
            print("e2e figure: mimamori dead-letters\n\(listing)")
            for secret in DaemonCase.Person.all { #expect(!listing.contains(secret), "personal data in the listing") }
            try await waitUntil("both messages are back in the dead-letter queue", daemon: daemon) {
                try await rig.publisher.connection.messageCount(queue: rig.folder.deadQueue) == 2
            }

            // The operator installs the police side's new key, reloads, replays that reason only.
            try rotated.publicKey.write(
                to: rig.folder.directory.appendingPathComponent("publishers/police-2027.pub"), atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            try await daemon.waitForLine(event: "settings.reloaded", timeout: .seconds(30))
            let replay = try rig.cli(["dead-letters", "--broker", rig.broker.url, "--replay", "--reason", "signature.unknown-key"])
            #expect(replay.contains("2 dead-lettered, 1 with reason signature.unknown-key, 1 replayed"), "\(replay)")
            print("e2e figure: mimamori dead-letters --replay --reason signature.unknown-key\n\(replay)")
            #expect(!replay.contains("garbage-1"), "only the chosen reason is listed and replayed: \(replay)")

            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(cooperators.count, daemon: daemon)
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            // The garbage stays for a person to look at.
            try await waitUntil("only the garbage is left in the dead-letter queue", daemon: daemon) {
                try await rig.publisher.connection.messageCount(queue: rig.folder.deadQueue) == 1
            }
            // The garbage was kept without its body: replaying it is refused, saying why, and
            // it stays where it is.
            do {
                let output = try rig.cli(["dead-letters", "--broker", rig.broker.url, "--replay", "--reason", "body.not-json"])
                Issue.record("replaying a dead letter without its body succeeded: \(output)")
            } catch let error as FixtureError {
                #expect("\(error)".contains("were not replayed") && "\(error)".contains("publisher must send them again"), "\(error)")
            }
            try await waitUntil("the body-less dead letter is back in the queue", daemon: daemon) {
                try await rig.publisher.connection.messageCount(queue: rig.folder.deadQueue) == 1
            }
            #expect(daemon.exitStatus == nil)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

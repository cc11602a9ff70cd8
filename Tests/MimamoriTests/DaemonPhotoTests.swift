import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A photo no notice may use, through the real daemon: it used to trap the FAX renderer after
/// the ack, and every restart claimed the FAX again (a crash loop).
@Suite("a broken photo cannot take a channel down (real mimamorid, broker, SMTP)", .serialized)
struct DaemonPhotoTests {
    /// A PNG signature and an IHDR declaring 0xFFFFFFFF × 0xFFFFFFFF, nothing else.
    static let overflowingPNG: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 8, 2, 0, 0, 0, 0, 0, 0, 0]

    @Test(
        "a PNG header declaring 0xFFFFFFFF² and random bytes labelled image/jpeg (consent.photo true): the daemon stays up, every FAX and email goes out without the photo and with the note"
    )
    func brokenPhotosAreLeftOut() async throws {
        var random = SystemRandomNumberGenerator()
        let notJPEG = [0x00] + (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        let photos: [(mediaType: String, bytes: [UInt8], reason: String)] = [
            ("image/png", Self.overflowingPNG, "photo.bad-dimensions"),
            ("image/jpeg", notJPEG, "photo.wrong-type"),
        ]
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 2)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            var cases: [DaemonCase] = []
            for photo in photos {
                let sample = DaemonCase(municipality: rig.folder.municipality)
                var event = sample.event("opened", sequence: 1, photo: true)
                event["photo"] = ["mediaType": photo.mediaType, "data": Data(photo.bytes).base64EncodedString()]
                try await rig.publisher.publish(event)
                let line = try await daemon.waitForLine(event: "photo.left-out", containing: ["case=\(sample.caseID)"])
                #expect(line.contains("reason=\(photo.reason)"), "\(line)")
                cases.append(sample)
            }
            for sample in cases {
                try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
                #expect(try await rig.states(sample.caseID) == ["alert/delivered": cooperators.count])
            }
            let mail = try rig.smtp.received()
            let notices = mail.filter { !$0.rcpt_tos.contains("ops@town.example.jp") }
            #expect(notices.count == cases.count * cooperators.count, "\(notices.count) notices")
            for message in notices {
                let decoded = try #require(message.decoded)
                #expect(!decoded.attachments.contains { $0.content_type.hasPrefix("image/") }, "a photo went out to \(message.rcpt_tos)")
                if message.rcpt_tos.allSatisfy({ $0.hasSuffix("@fax.example.jp") }) {
                    #expect(decoded.attachments.filter { $0.content_type == "application/pdf" }.count == 1)
                    let page = try Self.pdfText(of: message.raw)
                    #expect(page.contains("（ご本人の写真は、データに不備があるため掲載していません。）"), "no note on the FAX page")
                } else {
                    #expect(decoded.body?.contains("ご本人の写真は、データに不備があるため添付していません。") == true, "no note in the mail")
                }
            }
            #expect(!mail.contains { $0.rcpt_tos.contains("ops@town.example.jp") }, "an alarm was raised: a delivery failed")
            // Up all along: one start, no failure.
            #expect(daemon.exitStatus == nil)
            #expect(daemon.lines(event: "dispatcher.started").count == 1)
            #expect(daemon.lines(event: "delivery.failed").isEmpty, "\(daemon.lines(event: "delivery.failed"))")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    /// The text of the PDF attached to a gateway mail (then pdftotext), without white space.
    static func pdfText(of raw: Data) throws -> String {
        let folder = try ServerProcess.temporaryDirectory("pdf")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("fax.pdf")
        try gatewayPDF(of: raw).write(to: pdf)
        return try runTool("/usr/bin/pdftotext", [pdf.path, "-"]).replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
    }
}

import Foundation
import TestFixtures
import Testing

/// `mimamori render` writes what the daemon sends: the same case through the real daemon (its
/// SMTP relay, the FAX email gateway, the radio spool) and through `render`, dated alike, gives
/// the same bytes once the per-recipient headers (To, Date, Message-ID and the boundary made
/// from it) are set alike. The PDF is dated the instant its delivery was planned for, so its
/// `/CreationDate` is the same on both sides without rewriting.
@Suite("mimamori render gives the bytes the daemon sends (real mimamorid, broker, SMTP)", .serialized)
struct RenderMatchesDaemonTests {
    @Test(
        "an alert with a photo, real and drill: the email, the FAX PDF and the CAP of render equal what the daemon sent",
        arguments: [false, true])
    func renderedFilesAreWhatTheDaemonSent(drill: Bool) async throws {
        var options = DaemonFolder.Options()
        options.radioSpool = true
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 1)) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            var event = sample.event("opened", sequence: 1, photo: true)
            event["drill"] = drill
            try await rig.publisher.publish(event)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 3])

            // The instant the daemon planned the alert for: render is dated with it.
            let planned = try #require(
                try rig.sql("SELECT DISTINCT not_before FROM deliveries WHERE case_id = '\(sample.caseID)' AND kind = 'alert'").first)
            #expect(try rig.sql("SELECT COUNT(DISTINCT not_before) FROM deliveries WHERE case_id = '\(sample.caseID)'") == ["1"])
            let millis = try #require(Int64(planned))
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let now = formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))

            let folder = try ServerProcess.temporaryDirectory("render")
            defer { try? FileManager.default.removeItem(at: folder) }
            let eventFile = folder.appendingPathComponent("event.json")
            try Data(try DaemonCase.json(event)).write(to: eventFile)
            let out = folder.appendingPathComponent("out")
            _ = try rig.cli(["render", eventFile.path, "--out", out.path, "--now", now])

            let mail = try rig.smtp.received()
            let volunteer = try #require(mail.first { $0.rcpt_tos.contains { $0.hasSuffix("@volunteers.example.jp") } })
            let gateway = try #require(mail.first { $0.rcpt_tos.contains { $0.hasSuffix("@fax.example.jp") } })

            let eml = try Data(contentsOf: out.appendingPathComponent("alert.eml"))
            #expect(Self.recipientFree(eml) == Self.recipientFree(volunteer.raw), "render's alert.eml differs from the email sent")
            #expect(volunteer.decoded?.attachments.contains { $0.content_type == "image/png" } == true, "the photo was not attached")

            let pdf = try Data(contentsOf: out.appendingPathComponent("alert.fax.pdf"))
            let sentPDF = try gatewayPDF(of: gateway.raw)
            #expect(sentPDF == pdf, "render's alert.fax.pdf differs from the FAX sent (\(sentPDF.count) and \(pdf.count) bytes)")
            #expect(String(decoding: pdf, as: UTF8.self).contains("/CreationDate"))

            let cap = try Data(contentsOf: out.appendingPathComponent("alert.cap.xml"))
            let spooled = try FileManager.default.contentsOfDirectory(atPath: rig.folder.radioDirectory.path).filter {
                $0.hasSuffix(".xml")
            }
            #expect(spooled.count == 1, "\(spooled)")
            let sentCAP = try Data(contentsOf: rig.folder.radioDirectory.appendingPathComponent(try #require(spooled.first)))
            #expect(sentCAP == cap, "render's alert.cap.xml differs from the CAP spooled")
            #expect(String(decoding: cap, as: UTF8.self).contains("<status>\(drill ? "Exercise" : "Actual")</status>"))
            await daemon.kill()
        }
    }

    /// The message with To, Date and Message-ID removed and the MIME boundary (made from the
    /// Message-ID) renamed: what every recipient of a notice gets alike.
    static func recipientFree(_ raw: Data) -> String {
        var text = String(decoding: raw, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return text }
        var header: [String] = []
        var dropping = false
        for line in text[..<end.lowerBound].components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                if !dropping { header.append(line) }
                continue
            }
            let name = line.prefix { $0 != ":" }.lowercased()
            dropping = ["to", "date", "message-id"].contains(name)
            if !dropping { header.append(line) }
        }
        text = header.joined(separator: "\r\n") + String(text[end.lowerBound...])
        if let match = text.firstMatch(of: /boundary="?([^";\r\n]+)"?/) {
            text = text.replacingOccurrences(of: String(match.1), with: "BOUNDARY")
        }
        return text
    }
}

/// The PDF attached to a FAX gateway mail, decoded by Python's email package.
func gatewayPDF(of raw: Data) throws -> Data {
    let folder = try ServerProcess.temporaryDirectory("pdf")
    defer { try? FileManager.default.removeItem(at: folder) }
    let eml = folder.appendingPathComponent("fax.eml")
    try raw.write(to: eml)
    let pdf = folder.appendingPathComponent("fax.pdf")
    _ = try runTool(
        "/usr/bin/python3",
        [
            "-c",
            "import email,sys\nm=email.message_from_bytes(open(sys.argv[1],'rb').read())\n"
                + "[open(sys.argv[2],'wb').write(p.get_payload(decode=True)) for p in m.walk() if p.get_content_type()=='application/pdf']",
            eml.path, pdf.path,
        ])
    return try Data(contentsOf: pdf)
}

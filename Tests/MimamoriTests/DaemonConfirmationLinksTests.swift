import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

/// With `confirm:` on, the real daemon sends each cooperator their own code: the volunteer's
/// email carries links whose code the ledger holds for that volunteer's delivery, and the
/// institution's FAX (through the email gateway) a QR code holding its own delivery's page.
@Suite("mimamorid with confirm: each delivery's own links and QR code (real binary, broker, SMTP)", .serialized)
struct DaemonConfirmationLinksTests {
    static let publicURL = "https://mimamori.town.example.jp"

    @Test("the alert's email links and FAX QR code open the ledger's deliveries of that volunteer and that institution")
    func linksOpenTheirDeliveries() async throws {
        let options = DaemonFolder.Options(confirm: "{ public-url: \"\(Self.publicURL)\", reply-fax: 073-555-5999 }")
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 2, fax: 1)) { rig in
            let daemon = try await rig.startConsuming()
            let event = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(event.event("opened", sequence: 1, photo: true))
            try await rig.waitForMail(3, daemon: daemon)
            let ledger = try rig.ledger()
            var seen: Set<String> = []
            for mail in try rig.smtp.received() {
                let to = try #require(mail.rcpt_tos.first)
                let code: ConfirmationCode
                if to.hasSuffix("@fax.example.jp") {
                    let link = try Self.qrCode(ofPDFIn: mail.raw)
                    #expect(link.hasPrefix("\(Self.publicURL)/c/"), "\(link)")
                    code = try #require(ConfirmationCode(parsing: String(link.dropFirst("\(Self.publicURL)/c/".count))))
                    let target = try #require(try await ledger.confirmationTarget(code), "the FAX's code is in the ledger")
                    #expect(target.recipient == RecipientID("fax-001"))
                    #expect(target.channel == .fax)
                } else {
                    let body = try #require(mail.decoded?.body)
                    let match = try #require(
                        body.firstMatch(of: /受け取りました → https:\/\/mimamori\.town\.example\.jp\/c\/([0-9A-Z-]{14})\/received/))
                    code = try #require(ConfirmationCode(parsing: String(match.output.1)))
                    #expect(body.contains("\(Self.publicURL)/c/\(code.rawValue)/destroyed"))
                    let target = try #require(try await ledger.confirmationTarget(code), "the email's code is in the ledger")
                    #expect(to.hasPrefix(target.recipient.rawValue.replacingOccurrences(of: "vol-", with: "v")))
                    #expect(target.channel == .email)
                }
                #expect(try await ledger.confirmationTarget(code)?.kind == .alert)
                seen.insert(code.rawValue)
            }
            #expect(seen.count == 3, "each delivery has its own code")
        }
    }

    /// The gateway mail's PDF, printed at 200 dpi and read by zbar.
    static func qrCode(ofPDFIn raw: Data) throws -> String {
        let folder = try ServerProcess.temporaryDirectory("confirm-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("fax.pdf")
        try gatewayPDF(of: raw).write(to: pdf)
        _ = try runTool("/usr/bin/pdftoppm", ["-r", "200", "-png", "-l", "1", pdf.path, folder.appendingPathComponent("page").path])
        let png = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".png") })
        return try runTool("/usr/bin/zbarimg", ["--raw", "-q", folder.appendingPathComponent(png).path])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets
import TestFixtures
import Testing

@testable import MimamoriService

/// What a cooperator receives when `confirm:` is set, read as they would read it: the FAX
/// printed at fine-mode resolution, its QR code read by zbar (as a phone would), its text per
/// page by poppler; the email as the SMTP server got it. Each delivery carries its own code.
@Suite("What a cooperator receives: the email's links, the FAX's QR code and reply strip (real renderer, zbar, SMTP)")
struct ConfirmationNoticeTests {
    static let sentAt = AlertFaxPageTests.sentAt
    static let signer = try! ConfirmationSigner(credential: Data(repeating: 0x43, count: 32).base64EncodedString())

    static func configuration(replyFax: String? = "073-489-5999") throws -> Configuration {
        var configuration = try AlertFaxPageTests.configuration()
        var confirm = Configuration.Confirm(publicURL: "https://mimamori.town.example.jp")
        confirm.replyFax = replyFax
        configuration.confirm = confirm
        return configuration
    }

    /// The sample case's alert, update, termination and destruction reminder.
    static func notices(_ configuration: Configuration) throws -> [RenderedNotice] {
        let renderer = Planner(configuration: configuration, directory: CooperatorDirectory()).renderer
        let caseID = CaseID("KN-2026-0042")
        return [
            AlertFaxPageTests.notice(try AlertFaxPageTests.event(registered: false), configuration: configuration),
            AlertFaxPageTests.notice(try AlertFaxPageTests.event("case-updated.json", registered: false), configuration: configuration),
            renderer.termination(caseID: caseID, revision: 3, drill: false, firstNoticeAt: sentAt, sentAt: sentAt),
            renderer.destructionReminder(
                caseID: caseID, revision: 3, drill: false, documentsFrom: sentAt, documentsTo: sentAt, terminatedAt: sentAt,
                sentAt: sentAt),
        ]
    }

    static func delivery(_ notice: RenderedNotice, to recipient: String, channel: Channel) -> PlannedDelivery {
        PlannedDelivery(
            caseID: notice.caseID, revision: notice.revision, recipient: RecipientID(recipient), channel: channel, kind: notice.kind,
            notBefore: sentAt)
    }

    /// The request of one delivery, as the adapters build it from the claimed job.
    static func request(_ notice: RenderedNotice, to recipient: String, configuration: Configuration) throws -> ConfirmationRequest {
        let code = try #require(signer.code(for: delivery(notice, to: recipient, channel: .fax)))
        let confirm = try #require(configuration.confirm)
        return try #require(ConfirmationRequest(kind: notice.kind, code: code, confirm: confirm, town: configuration.town))
    }

    /// The FAX of one delivery as printed: each page's text without blanks and what zbar reads
    /// on each page at 200 dpi (nil: no QR code there).
    struct Printed {
        var pages: [String]
        var codes: [String?]
    }

    static func printed(_ document: FaxDocument, keep name: String? = nil) throws -> Printed {
        let rendering = try FaxDeliveryOutlet.renderer.render(document)
        let folder = try ServerProcess.temporaryDirectory("confirm-fax")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("fax.pdf")
        try rendering.pdf.write(to: pdf)
        if let name, ProcessInfo.processInfo.environment["MIMAMORI_KEEP_TEST_FILES"] != nil {
            try rendering.pdf.write(to: URL(fileURLWithPath: "/tmp/mimamori-\(name).pdf"))
        }
        _ = try runTool("/usr/bin/pdftoppm", ["-r", "200", "-png", pdf.path, folder.appendingPathComponent("page").path])
        var printed = Printed(pages: [], codes: [])
        for n in 1...rendering.pages {
            printed.pages.append(
                AlertFaxPageTests.squeezed(try runTool("/usr/bin/pdftotext", ["-enc", "UTF-8", "-f", "\(n)", "-l", "\(n)", pdf.path, "-"])))
            let png = try #require(
                try FileManager.default.contentsOfDirectory(atPath: folder.path).first {
                    $0.hasPrefix("page-") && $0.hasSuffix(".png") && Int($0.dropFirst(5).dropLast(4)) == n
                })
            // zbarimg exits 4 when it finds no symbol.
            let run = try runProcess("/usr/bin/zbarimg", ["--raw", "-q", folder.appendingPathComponent(png).path])
            #expect(run.status == 0 || run.status == 4, "zbarimg: \(run.stderr)")
            let text = run.stdout.trimmingCharacters(in: .newlines)
            printed.codes.append(text.isEmpty ? nil : text)
        }
        return printed
    }

    @Test("every FAX that asks: one page, the QR code reads as the delivery's link, the strip with what its kind asks")
    func faxBand() throws {
        let configuration = try Self.configuration()
        for notice in try Self.notices(configuration) {
            let request = try Self.request(notice, to: "fax-001", configuration: configuration)
            let printed = try Self.printed(
                FaxDeliveryOutlet.document(notice, created: Self.sentAt, confirmation: request), keep: "\(notice.kind.rawValue)-confirm")
            #expect(printed.pages.count == 1, "\(notice.kind)")
            #expect(printed.codes == [request.links.page], "\(notice.kind)")
            let page = try #require(printed.pages.last)
            for words in [
                request.links.page, "確認コード", request.code.rawValue, "処分しました", "日付", "事業所名",
                "この欄に印をつけて、このままFAXで返送してください（FAX073-489-5999）", AlertFaxPageTests.squeezed(request.faxLead),
            ] {
                #expect(page.contains(words), "\(notice.kind): \(words)")
            }
            // Only the description asks for a receipt; the closing notices ask for the destruction.
            #expect(page.contains("受け取りました") == (notice.kind == .alert || notice.kind == .update), "\(notice.kind)")
            #expect(page.contains("一度のご連絡で、すべての書類の処分として記録します。") == (notice.kind == .destructionReminder))
        }
    }

    @Test("each institution's FAX carries its own code: two deliveries of one notice, two links")
    func perDelivery() throws {
        let configuration = try Self.configuration()
        let notice = try #require(try Self.notices(configuration).first)
        let first = try Self.request(notice, to: "fax-001", configuration: configuration)
        let second = try Self.request(notice, to: "fax-002", configuration: configuration)
        #expect(first.code != second.code)
        for request in [first, second] {
            let printed = try Self.printed(FaxDeliveryOutlet.document(notice, created: Self.sentAt, confirmation: request))
            #expect(printed.codes == [request.links.page])
        }
    }

    @Test("deliveries of one notice have one shape: the fit found for one lays out the next exactly as measuring it would")
    func oneFitPerNotice() throws {
        let configuration = try Self.configuration()
        for notice in try Self.notices(configuration) {
            let first = FaxDeliveryOutlet.document(
                notice, created: Self.sentAt, confirmation: try Self.request(notice, to: "fax-001", configuration: configuration))
            let second = FaxDeliveryOutlet.document(
                notice, created: Self.sentAt, confirmation: try Self.request(notice, to: "fax-002", configuration: configuration))
            #expect(first != second)
            #expect(first.shape == second.shape)
            let measured = try FaxDeliveryOutlet.renderer.render(first)
            let reused = try FaxDeliveryOutlet.renderer.render(second, known: (measured.fit, measured.pages))
            #expect(reused.pdf == (try FaxDeliveryOutlet.renderer.render(second)).pdf, "\(notice.kind)")
        }
    }

    @Test("a description too long for one page: the QR code and the strip on the last page only")
    func longAlert() throws {
        let configuration = try Self.configuration()
        let notice = AlertFaxPageTests.notice(try AlertFaxPageTests.longEvent(drill: false), configuration: configuration)
        let request = try Self.request(notice, to: "fax-001", configuration: configuration)
        let printed = try Self.printed(
            FaxDeliveryOutlet.document(notice, created: Self.sentAt, confirmation: request), keep: "long-confirm")
        #expect(printed.pages.count == 2)
        #expect(printed.codes == [nil, request.links.page])
        #expect(!printed.pages[0].contains("事業所名"))
        #expect(printed.pages[1].contains("事業所名"))
        #expect(printed.pages[1].contains("確認コード") && printed.pages[1].contains(request.code.rawValue))
    }

    @Test("without confirm.reply-fax the strip names the town's phone; without a code, no band at all")
    func replyByPhoneAndNoBand() throws {
        let configuration = try Self.configuration(replyFax: nil)
        let notice = try #require(try Self.notices(configuration).first)
        let request = try Self.request(notice, to: "fax-001", configuration: configuration)
        let printed = try Self.printed(FaxDeliveryOutlet.document(notice, created: Self.sentAt, confirmation: request))
        #expect(printed.pages[0].contains("お電話でお知らせいただくときは、紀美野町保健福祉課（電話073-489-9960）へ確認コードをお伝えください"))
        #expect(!printed.pages[0].contains("返送"))
        let plain = try Self.printed(FaxDeliveryOutlet.document(notice, created: Self.sentAt))
        #expect(plain.codes == [nil])
        #expect(!plain.pages[0].contains("確認コード"))
    }

    // MARK: email

    static func job(_ notice: RenderedNotice, to recipient: String, code: ConfirmationCode?, kind: NoticeKind? = nil) throws -> DeliveryJob
    {
        DeliveryJob(
            id: DeliveryID(rawValue: Int64(recipient.utf8.count)), caseID: notice.caseID, revision: notice.revision,
            recipient: RecipientID(recipient), channel: .email, kind: kind ?? notice.kind, address: "\(recipient)@volunteers.example.jp",
            idempotencyKey: delivery(notice, to: recipient, channel: .email).idempotencyKey, attempt: 1, notBefore: sentAt,
            deadline: sentAt.addingTimeInterval(3600), drill: false, content: try JSONEncoder().encode(notice), confirmation: code)
    }

    @Test("the email as the volunteer reads it: the links of their own code, the right ones per kind; none where nothing is asked")
    func emailLinks() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let configuration = try Self.configuration()
        let mail = try EmailOutlet(configuration: .init(url: server.url, sessions: 1), logger: Logger(label: "test"))
        let outlet = EmailDeliveryOutlet(
            outlet: mail, from: EmailAddress(parsing: configuration.email.from), concurrency: 1, confirm: configuration.confirm,
            town: configuration.town)
        let unconfirmed = EmailDeliveryOutlet(
            outlet: mail, from: EmailAddress(parsing: configuration.email.from), concurrency: 1, confirm: nil, town: configuration.town)
        let notices = try Self.notices(configuration)
        // recipient → (the code sent, what the body must and must not hold)
        var expected: [String: (must: [String], mustNot: [String])] = [:]
        for notice in notices {
            for recipient in ["\(notice.kind.rawValue)-a", "\(notice.kind.rawValue)-b"] {
                let code = try #require(Self.signer.code(for: Self.delivery(notice, to: recipient, channel: .email)))
                try await outlet.deliver(try Self.job(notice, to: recipient, code: code))
                let links = try #require(configuration.confirm).links(code)
                let asksReceipt = notice.kind == .alert || notice.kind == .update
                expected[recipient] = (
                    [links.destroyed, "確認コード \(code.rawValue)"] + (asksReceipt ? ["受け取りました → \(links.received)"] : []),
                    asksReceipt ? [] : [links.received]
                )
            }
        }
        let alert = notices[0]
        // A kind that asks nothing, `confirm:` off, and a delivery planned before it was on.
        try await outlet.deliver(try Self.job(alert, to: "concern", code: ConfirmationCode.sample, kind: .concernReport))
        try await unconfirmed.deliver(try Self.job(alert, to: "off", code: ConfirmationCode.sample))
        try await outlet.deliver(try Self.job(alert, to: "before", code: nil))
        for recipient in ["concern", "off", "before"] { expected[recipient] = ([], ["/c/", "確認コード", "受け取り・処分のご連絡"]) }

        let received = try server.received()
        #expect(received.count == expected.count)
        for mail in received {
            let recipient = String(try #require(mail.rcpt_tos.first?.split(separator: "@").first))
            let body = try #require(mail.decoded?.body, "\(recipient)")
            let (must, mustNot) = try #require(expected[recipient], "\(recipient)")
            for words in must { #expect(body.contains(words), "\(recipient): \(words)") }
            for words in mustNot { #expect(!body.contains(words), "\(recipient): \(words)") }
            // The notice itself is whole before the block.
            #expect(body.hasPrefix(alert.email.body.prefix(20)) || !recipient.hasPrefix("alert"))
        }
        // Each volunteer's links are their own.
        let bodies = received.compactMap(\.decoded?.body)
        let codeA = try #require(Self.signer.code(for: Self.delivery(alert, to: "alert-a", channel: .email)))
        let codeB = try #require(Self.signer.code(for: Self.delivery(alert, to: "alert-b", channel: .email)))
        let alertA = try #require(bodies.first { $0.contains(codeA.rawValue) })
        #expect(!alertA.contains(codeB.rawValue))
    }
}

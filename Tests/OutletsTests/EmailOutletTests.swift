import Foundation
import Logging
import TestFixtures
import Testing

@testable import Outlets

@Suite(.serialized) struct EmailOutletTests {
    let logger = Logger(label: "test.email")

    func outlet(
        _ server: SMTPServer, sessions: Int = 2,
        configure: (inout EmailOutlet.Configuration) -> Void = { _ in }
    ) throws -> EmailOutlet {
        var configuration = EmailOutlet.Configuration(
            url: server.url, sessions: sessions,
            timeouts: OutletTimeouts(connect: .seconds(5), total: .seconds(20)))
        configure(&configuration)
        return try EmailOutlet(configuration: configuration, logger: logger)
    }

    @Test func japaneseSubjectAndBodyArriveExactly() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let outlet = try outlet(server)
        try await outlet.send(Samples.email(to: "vol-001@example.net"))
        await outlet.shutdown()

        let received = try server.received()
        try #require(received.count == 1)
        let message = received[0]
        let decoded = try #require(message.decoded, "python email decoding: \(message.decode_error ?? "")")
        #expect(decoded.subject == Samples.subject)
        // Text line breaks travel as CRLF (RFC 5322); the decoded text is otherwise identical.
        #expect(decoded.body?.replacingOccurrences(of: "\r\n", with: "\n") == Samples.body)
        #expect(decoded.body?.hasPrefix("紀美野町 保健福祉課より") == true)
        #expect(decoded.to_display_name == "協力者 山田花子 様")
        #expect(decoded.from_display_name == "紀美野町 保健福祉課（見守りネットワーク）")
        #expect(decoded.body_charset == "utf-8")
        #expect(decoded.body_cte == "base64")
        #expect(decoded.mime_version == "1.0")
        #expect(decoded.message_id == "<KN-0042=2F1=2Femail=2Fvol-001@town.example.jp>")
        #expect(decoded.date == "Fri, 27 Nov 2026 15:35:00 +0900")
        #expect(decoded.defects.isEmpty, "parser defects: \(decoded.defects)")
        #expect(decoded.long_lines.isEmpty)
        #expect(!decoded.bare_lf)
        #expect(message.mail_from == "sos@town.example.jp")
        #expect(message.rcpt_tos == ["vol-001@example.net"])
    }

    @Test func fiveHundredRecipientsGetFiveHundredDistinctMessages() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let outlet = try outlet(server, sessions: 8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<500 {
                group.addTask {
                    try await outlet.send(
                        Samples.email(
                            to: "vol-\(n)@example.net", name: "協力者\(n) 様", key: "KN-0042/1/email/vol-\(n)"))
                }
            }
            try await group.waitForAll()
        }
        await outlet.shutdown()
        #expect(server.connections() <= 8, "sessions are reused: \(server.connections()) connections")
        let received = try server.received()
        #expect(received.count == 500)
        #expect(Set(received.flatMap(\.rcpt_tos)).count == 500)
        #expect(received.allSatisfy { $0.rcpt_tos.count == 1 }, "never a shared envelope")
        #expect(Set(received.compactMap { $0.decoded?.message_id }).count == 500)
        #expect(received.allSatisfy { $0.decoded?.subject == Samples.subject })
        #expect(received.allSatisfy { $0.decoded?.to.contains("example.net") == true && $0.decoded?.to.contains(",") == false })
    }

    @Test func reply550IsPermanent() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let outlet = try outlet(server)
        await #expect {
            try await outlet.send(Samples.email(to: "reject550-vol@example.net"))
        } throws: { error in
            guard let error = error as? OutletError else { return false }
            return error.code == .rejected && !error.isRetriable && error.smtpReplyCode == 550
        }
        // The session stays usable after a rejection.
        try await outlet.send(Samples.email(to: "vol-ok@example.net"))
        await outlet.shutdown()
        #expect(try server.received().count == 1)
    }

    @Test func aSessionTheServerClosedWhileIdleIsReplacedTransparently() async throws {
        // The daemon may sit idle for hours between cases; relays drop idle sessions.
        var options = SMTPServer.Options()
        options.idleTimeout = 0.5
        let server = try SMTPServer(options)
        defer { server.stop() }
        let outlet = try outlet(server, sessions: 1)
        try await outlet.send(Samples.email(to: "vol-a@example.net"))
        try await Task.sleep(for: .seconds(1.5))
        try await outlet.send(Samples.email(to: "vol-b@example.net"))
        await outlet.shutdown()
        #expect(try server.received().count == 2)
        #expect(server.connections() == 2)
    }

    @Test func reply451IsTransientAndARetrySucceeds() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let outlet = try outlet(server)
        let message = Samples.email(to: "defer451-2-vol@example.net")
        var failures: [OutletError] = []
        var delivered = false
        for _ in 0..<5 where !delivered {  // the dispatcher's loop, without the backoff
            do {
                try await outlet.send(message)
                delivered = true
            } catch {
                failures.append(error)
            }
        }
        await outlet.shutdown()
        #expect(delivered)
        #expect(failures.count == 2)
        #expect(failures.allSatisfy { $0.code == .deferred && $0.isRetriable && $0.smtpReplyCode == 451 })
        #expect(try server.received().count == 1)
    }

    @Test func startTLSWithAuthAndAttachments() async throws {
        let relay = try TLSRelay(user: "mimamori", password: "s3cret-パス")
        defer { relay.stop() }
        let server = relay.server
        let outlet = try outlet(server) { relay.configure(&$0, password: "s3cret-パス") }
        let photo = Data((0..<30_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let pdf = Data("%PDF-1.4\n".utf8) + Data(repeating: 0x41, count: 5000)
        try await outlet.send(
            Samples.email(
                to: "vol-tls@example.net",
                attachments: [
                    EmailAttachment(filename: "本人写真_KN-0042.jpg", mediaType: "image/jpeg", bytes: photo),
                    EmailAttachment(filename: "notice.pdf", mediaType: "application/pdf", bytes: pdf),
                ]))
        await outlet.shutdown()
        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].tls && received[0].authenticated)
        let decoded = try #require(received[0].decoded)
        #expect(decoded.content_type == "multipart/mixed")
        #expect(decoded.subject == Samples.subject)
        #expect(decoded.body?.contains("紺色のジャンパー") == true)
        #expect(decoded.defects.isEmpty, "\(decoded.defects)")
        #expect(decoded.attachments.map(\.filename) == ["本人写真_KN-0042.jpg", "notice.pdf"])
        #expect(decoded.attachments.map(\.size) == [photo.count, pdf.count])
        #expect(decoded.attachments.map(\.content_type) == ["image/jpeg", "application/pdf"])
    }

    @Test func implicitTLSOverSMTPS() async throws {
        let certificate = try TLSCertificate.make()
        defer { certificate.remove() }
        var options = SMTPServer.Options(tls: certificate)
        options.implicitTLS = true
        let server = try SMTPServer(options)
        defer { server.stop() }
        let outlet = try outlet(server) {
            $0.url = "smtps://127.0.0.1:\(server.port)"
            $0.security = .implicitTLS
            $0.caFile = certificate.certificate.path
        }
        try await outlet.send(Samples.email(to: "vol-smtps@example.net"))
        await outlet.shutdown()
        let received = try server.received()
        #expect(received.count == 1 && received.first?.tls == true)
        #expect(received.first?.decoded?.subject == Samples.subject)
    }

    @Test func wrongPasswordIsAnAuthenticationFailure() async throws {
        let certificate = try TLSCertificate.make()
        defer { certificate.remove() }
        let server = try SMTPServer(.init(tls: certificate, requireTLS: true, auth: ("mimamori", "right")))
        defer { server.stop() }
        let outlet = try outlet(server) {
            $0.security = .startTLS
            $0.caFile = certificate.certificate.path
            $0.credentials = .init(username: "mimamori", password: "wrong")
        }
        await #expect {
            try await outlet.send(Samples.email(to: "vol@example.net"))
        } throws: { error in
            guard let error = error as? OutletError else { return false }
            // A channel fault (a rotated password): retriable, every recipient would get it.
            return error.code == .authenticationFailed && error.smtpReplyCode == 535 && error.isRetriable
                && error.scope == .channel
        }
        await outlet.shutdown()
    }

    @Test func untrustedCertificateFailsTLS() async throws {
        let certificate = try TLSCertificate.make()
        defer { certificate.remove() }
        let other = try TLSCertificate.make()
        defer { other.remove() }
        let server = try SMTPServer(.init(tls: certificate, requireTLS: true))
        defer { server.stop() }
        let outlet = try outlet(server) {
            $0.security = .startTLS
            $0.caFile = other.certificate.path
        }
        await #expect {
            try await outlet.send(Samples.email(to: "vol@example.net"))
        } throws: { error in
            (error as? OutletError)?.code == .tlsFailed
        }
        await outlet.shutdown()
        #expect(try server.received().isEmpty)
    }

    @Test func refusedConnectionIsTransient() async throws {
        // A port that was just free: bind-and-close through a stopped server.
        let server = try SMTPServer()
        server.stop()
        let outlet = try outlet(server)
        await #expect {
            try await outlet.send(Samples.email(to: "vol@example.net"))
        } throws: { error in
            guard let error = error as? OutletError else { return false }
            return error.code == .connectionFailed && error.isRetriable
        }
        await outlet.shutdown()
    }

    @Test func sendAfterShutdownFailsRetriably() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let outlet = try outlet(server)
        await outlet.shutdown()
        await #expect {
            try await outlet.send(Samples.email(to: "vol@example.net"))
        } throws: { error in
            (error as? OutletError)?.code == .shutDown && (error as? OutletError)?.isRetriable == true
        }
    }

    @Test func badSettingsAreReportedAtInit() {
        #expect(throws: OutletError.self) {
            try EmailOutlet(configuration: .init(url: "http://example.jp"), logger: logger)
        }
        #expect(throws: OutletError.self) {
            try EmailOutlet(configuration: .init(url: "smtp://example.jp", security: .implicitTLS), logger: logger)
        }
    }
}

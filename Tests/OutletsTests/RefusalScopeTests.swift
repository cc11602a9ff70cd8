import CCurl
import Foundation
import Logging
import TestFixtures
import Testing

@testable import Outlets

/// Who a refusal concerns. The error texts are libcurl 7.88's own (`lib/smtp.c`), as it wrote
/// them into CURLOPT_ERRORBUFFER (captured with `curl -v` against a server answering each code at
/// each step, and checked against aiosmtpd in `RefusalScopeServerTests`).
@Suite struct RefusalScopeTests {
    struct SMTPCase: Sendable, CustomTestStringConvertible {
        var code: CURLcode
        var reply: Int
        var text: String
        var uploaded = false
        var scope: OutletError.Scope
        var stage: OutletError.SMTPStage?
        var retriable: Bool
        var smtp: Int?
        var testDescription: String { "\(text.isEmpty ? "curl \(code.rawValue)" : text) reply \(reply)" }
    }

    static let smtpCases: [SMTPCase] = [
        // The channel: every delivery would get the same answer.
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 554, text: "Got unexpected smtp-server response: 554", scope: .channel, stage: .greeting,
            retriable: true, smtp: 554),
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 421, text: "Got unexpected smtp-server response: 421", scope: .channel, stage: .greeting,
            retriable: true, smtp: 421),
        .init(
            code: CURLE_REMOTE_ACCESS_DENIED, reply: 550, text: "Remote access denied: 550", scope: .channel, stage: .hello,
            retriable: true, smtp: 550),
        .init(
            code: CURLE_USE_SSL_FAILED, reply: 454, text: "STARTTLS denied, code 454", scope: .channel, stage: .startTLS, retriable: true,
            smtp: 454),
        .init(
            code: CURLE_USE_SSL_FAILED, reply: 250, text: "STARTTLS not supported.", scope: .channel, stage: .startTLS, retriable: true,
            smtp: 250),
        .init(code: CURLE_LOGIN_DENIED, reply: 535, text: "Login denied", scope: .channel, stage: .auth, retriable: true, smtp: 535),
        .init(code: CURLE_LOGIN_DENIED, reply: 454, text: "Login denied", scope: .channel, stage: .auth, retriable: true, smtp: 454),
        .init(code: CURLE_SEND_ERROR, reply: 530, text: "MAIL failed: 530", scope: .channel, stage: .mailFrom, retriable: true, smtp: 530),
        .init(code: CURLE_SEND_ERROR, reply: 550, text: "MAIL failed: 550", scope: .channel, stage: .mailFrom, retriable: true, smtp: 550),
        .init(code: CURLE_SEND_ERROR, reply: 451, text: "MAIL failed: 451", scope: .channel, stage: .mailFrom, retriable: true, smtp: 451),
        .init(code: CURLE_SEND_ERROR, reply: 554, text: "DATA failed: 554", scope: .channel, stage: .data, retriable: true, smtp: 554),
        .init(code: CURLE_SEND_ERROR, reply: 421, text: "RCPT failed: 421", scope: .channel, stage: .rcptTo, retriable: true, smtp: 421),
        // This recipient.
        .init(code: CURLE_SEND_ERROR, reply: 550, text: "RCPT failed: 550", scope: .recipient, stage: .rcptTo, retriable: false, smtp: 550),
        .init(code: CURLE_SEND_ERROR, reply: 451, text: "RCPT failed: 451", scope: .recipient, stage: .rcptTo, retriable: true, smtp: 451),
        // The message: refused after the upload, libcurl reports a weird reply with the code.
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 554, text: "Weird server reply", uploaded: true, scope: .message, stage: .endOfData,
            retriable: false, smtp: 554),
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 552, text: "", uploaded: true, scope: .message, stage: .endOfData, retriable: false,
            smtp: 552),
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 451, text: "Weird server reply", uploaded: true, scope: .recipient, stage: .endOfData,
            retriable: true, smtp: 451),
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 550, text: "Weird server reply", uploaded: true, scope: .recipient, stage: .endOfData,
            retriable: false, smtp: 550),
        // No decisive reply: libcurl's code decides.
        .init(
            code: CURLE_COULDNT_CONNECT, reply: 0, text: "Failed to connect to 127.0.0.1 port 25 after 0 ms: Couldn't connect to server",
            scope: .channel, stage: nil, retriable: true, smtp: nil),
        .init(
            code: CURLE_OPERATION_TIMEDOUT, reply: 0, text: "server response timeout", scope: .recipient, stage: nil, retriable: true,
            smtp: nil),
        .init(
            code: CURLE_WEIRD_SERVER_REPLY, reply: 0, text: "Weird server reply", scope: .recipient, stage: nil, retriable: true, smtp: nil),
    ]

    @Test(arguments: smtpCases)
    func smtp(_ example: SMTPCase) {
        let error = SMTPTransfer.classify(example.code, reply: example.reply, errorText: example.text, uploaded: example.uploaded)
        #expect(error.scope == example.scope, "\(error)")
        #expect(error.smtpStage == example.stage, "\(error)")
        #expect(error.isRetriable == example.retriable, "\(error)")
        #expect(error.smtpReplyCode == example.smtp, "\(error)")
    }

    @Test("the server's own words never reach the error: only the stage and the number are taken")
    func replyTextIsNotCopied() {
        let error = SMTPTransfer.classify(
            CURLE_SEND_ERROR, reply: 550, errorText: "RCPT failed: 550 5.1.1 <vol@example.net>: unknown user", uploaded: false)
        #expect(error.smtpStage == .rcptTo && error.smtpReplyCode == 550)
        #expect(!error.description.contains("example.net"), "\(error)")
    }

    @Test(arguments: [
        (401, OutletError.Scope.channel, true), (403, .channel, true), (407, .channel, true), (429, .channel, true),
        (500, .channel, true), (503, .channel, true), (408, .channel, true), (404, .channel, true), (301, .channel, true),
        (413, .message, false), (415, .message, false), (400, .recipient, false), (422, .recipient, false),
    ])
    func http(status: Int, scope: OutletError.Scope, retriable: Bool) throws {
        let error = try #require(HTTPClient.classify(status: status, hint: "check fax.url"))
        #expect(error.scope == scope && error.isRetriable == retriable && error.httpStatus == status, "\(error)")
        #expect(HTTPClient.classify(status: 200, hint: "") == nil)
    }
}

/// The same classification on the real libcurl against the real aiosmtpd: the error buffer texts
/// are what the unit cases above say.
@Suite(.serialized) struct RefusalScopeServerTests {
    let logger = Logger(label: "test")

    func outlet(_ server: SMTPServer, configure: (inout EmailOutlet.Configuration) -> Void = { _ in }) throws -> EmailOutlet {
        var configuration = EmailOutlet.Configuration(url: server.url, security: .none, credentials: nil, sessions: 1)
        configure(&configuration)
        return try EmailOutlet(configuration: configuration, logger: logger)
    }

    func failure(_ outlet: EmailOutlet, to address: String) async -> OutletError? {
        do {
            try await outlet.send(Samples.email(to: address))
            return nil
        } catch {
            return error
        }
    }

    @Test("530 at MAIL FROM: the channel, retriable")
    func mailFrom() async throws {
        var options = SMTPServer.Options()
        options.refuseMail = 530
        options.refuseWindow = 60
        let server = try SMTPServer(options)
        defer { server.stop() }
        let outlet = try outlet(server)
        let error = await failure(outlet, to: "vol@example.net")
        await outlet.shutdown()
        #expect(
            error?.scope == .channel && error?.smtpStage == .mailFrom && error?.smtpReplyCode == 530 && error?.isRetriable == true,
            "\(String(describing: error))")
    }

    @Test("550 at RCPT: the recipient, permanent; 554 at the end of DATA: the message, permanent")
    func rcptAndEndOfData() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let outlet = try outlet(server)
        let rcpt = await failure(outlet, to: "reject550-vol@example.net")
        let data = await failure(outlet, to: "data554-vol@example.net")
        let fine = await failure(outlet, to: "vol@example.net")
        await outlet.shutdown()
        #expect(
            rcpt?.scope == .recipient && rcpt?.smtpStage == .rcptTo && rcpt?.smtpReplyCode == 550 && rcpt?.isRetriable == false,
            "\(String(describing: rcpt))")
        #expect(
            data?.scope == .message && data?.smtpStage == .endOfData && data?.smtpReplyCode == 554 && data?.isRetriable == false,
            "\(String(describing: data))")
        #expect(fine == nil, "\(String(describing: fine))")
        #expect(try server.received().count == 1)
    }

    @Test("a refused login (535): the channel, retriable")
    func auth() async throws {
        let relay = try TLSRelay(user: "mimamori", password: "right")
        defer { relay.stop() }
        let outlet = try outlet(relay.server) { relay.configure(&$0, password: "rotated") }
        let error = await failure(outlet, to: "vol@example.net")
        await outlet.shutdown()
        #expect(
            error?.scope == .channel && error?.smtpStage == .auth && error?.smtpReplyCode == 535 && error?.isRetriable == true,
            "\(String(describing: error))")
    }
}

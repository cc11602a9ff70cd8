import Foundation
import Logging
import TestFixtures
import Testing

@testable import Outlets

@Suite(.serialized) struct FaxOutletTests {
    let logger = Logger(label: "test.fax")

    func delivery(_ key: String = "KN-0042/1/fax/coop-014") throws -> FaxDelivery {
        FaxDelivery(number: "+81734899960", document: try Samples.fax(), idempotencyKey: key, date: Samples.date)
    }

    func api(_ receiver: HTTPReceiver, total: Duration = .seconds(10)) -> FaxOutlet.Configuration.Method {
        .httpAPI(
            .init(
                url: receiver.url("/v1/faxes"), token: "tok-123",
                timeouts: OutletTimeouts(connect: .seconds(2), total: total)))
    }

    @Test(arguments: [
        (FaxNumberFormat.japaneseDomestic, "+81734899960", "0734899960"),
        (.japaneseDomestic, "+14155550100", "01014155550100"),
        (.e164Digits, "+81734899960", "81734899960"),
        (.e164, "+81734899960", "+81734899960"),
    ])
    func numbersAreFormattedForTheService(_ format: FaxNumberFormat, _ number: String, _ expected: String) throws {
        #expect(try format.format(number) == expected)
    }

    @Test(arguments: ["0734899960", "+81-73-489-9960", "+81", "", "+8173489996012345678"])
    func nonE164NumbersAreRejected(_ number: String) {
        #expect(throws: OutletError.self) { try FaxNumberFormat.e164.format(number) }
    }

    @Test func emailGatewayMailArrivesWithThePDF() async throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let email = try EmailOutlet(configuration: .init(url: server.url, sessions: 1), logger: logger)
        let fax = try FaxOutlet(
            configuration: .init(
                method: .emailGateway(
                    .init(
                        addressPattern: "{number}@fax.example.jp", from: Samples.from))),
            email: email, logger: logger)
        let receipt = try await fax.send(try delivery())
        await email.shutdown()
        #expect(receipt.jobID == nil)
        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].rcpt_tos == ["0734899960@fax.example.jp"])
        let decoded = try #require(received[0].decoded)
        #expect(decoded.subject == "行方不明者の捜索協力のお願い（紀美野町・第1報）")
        #expect(decoded.attachments.count == 1)
        #expect(decoded.attachments.first?.filename == "notice.pdf")
        #expect(decoded.attachments.first?.content_type == "application/pdf")
        #expect(decoded.attachments.first?.head.hasPrefix("%PDF-1.4") == true)
        #expect(decoded.defects.isEmpty)
    }

    @Test func httpAPIReceivesAValidMultipartRequest() async throws {
        let receiver = try HTTPReceiver(.init(status: 201))
        defer { receiver.stop() }
        let fax = try FaxOutlet(configuration: .init(method: api(receiver)), logger: logger)
        let receipt = try await fax.send(try delivery())
        await fax.shutdown()
        #expect(receipt.jobID == "job-1")
        let requests = try receiver.requests()
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.path == "/v1/faxes")
        #expect(request.headers["authorization"] == "Bearer tok-123")
        #expect(request.headers["idempotency-key"] == "KN-0042/1/fax/coop-014")
        #expect(request.headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(request.defects == [])
        let parts = try #require(request.parts)
        #expect(parts.map(\.name) == ["to", "file"])
        #expect(parts[0].text == "+81734899960")
        #expect(parts[1].filename == "notice.pdf")
        #expect(parts[1].content_type == "application/pdf")
        let pdf = try FaxRenderer().pdf(try Samples.fax())
        #expect(parts[1].size == pdf.count)
        #expect(request.body.range(of: Data("%PDF-1.4".utf8)) != nil)
    }

    @Test func httpAPIStatusesMapToTransientOrPermanent() async throws {
        let receiver = try HTTPReceiver(.init(status: 200, statuses: [503, 429, 408, 400, 401]))
        defer { receiver.stop() }
        let fax = try FaxOutlet(configuration: .init(method: api(receiver)), logger: logger)
        var errors: [OutletError] = []
        let delivery = try delivery()
        for _ in 0..<5 {
            do { _ = try await fax.send(delivery) } catch { errors.append(error) }
        }
        let receipt = try await fax.send(delivery)
        await fax.shutdown()
        #expect(errors.map(\.httpStatus) == [503, 429, 408, 400, 401])
        // 401 concerns the channel (the token), not this number: retriable, the dispatcher pauses.
        #expect(errors.map(\.isRetriable) == [true, true, true, false, true])
        #expect(errors.map(\.scope) == [.channel, .channel, .channel, .recipient, .channel])
        #expect(receipt.jobID == "job-6")
        // The same delivery always carries the same key: the service can deduplicate retries.
        #expect(Set(try receiver.requests().compactMap { $0.headers["idempotency-key"] }).count == 1)
    }

    @Test func httpAPITimeoutIsTransient() async throws {
        let receiver = try HTTPReceiver(.init(delay: 3))
        defer { receiver.stop() }
        let fax = try FaxOutlet(configuration: .init(method: api(receiver, total: .seconds(1))), logger: logger)
        await #expect {
            _ = try await fax.send(try delivery())
        } throws: { error in
            guard let error = error as? OutletError else { return false }
            return error.code == .timedOut && error.isRetriable
        }
        await fax.shutdown()
    }

    @Test func httpAPIAnswerWithoutJobIDIsRetriable() async throws {
        let receiver = try HTTPReceiver(.init(body: "<html>ok</html>"))
        defer { receiver.stop() }
        let fax = try FaxOutlet(configuration: .init(method: api(receiver)), logger: logger)
        await #expect {
            _ = try await fax.send(try delivery())
        } throws: { error in
            guard let error = error as? OutletError else { return false }
            return error.code == .badResponse && error.isRetriable
        }
        await fax.shutdown()
    }

    @Test func hylaFAXNotInstalledIsAClearConfigurationError() {
        #expect {
            try FaxOutlet(configuration: .init(method: .hylaFAX(.init(sendfax: "/nonexistent/sendfax"))), logger: logger)
        } throws: { error in
            guard let error = error as? OutletError else { return false }
            return error.code == .configuration && error.message.contains("not installed")
        }
    }

    @Test func hylaFAXSendfaxIsRunWithTheNumberAndThePDF() async throws {
        // A stand-in sendfax that records its arguments and answers like HylaFAX does.
        let directory = try ServerProcess.temporaryDirectory("sendfax")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("sendfax")
        let log = directory.appendingPathComponent("argv")
        try """
        #!/bin/sh
        printf '%s\\n' "$@" > \(log.path)
        head -c 8 "$4" >> \(log.path)
        echo "request id is 4711 (group id 4711) for host localhost (1 file)"
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let fax = try FaxOutlet(configuration: .init(method: .hylaFAX(.init(sendfax: script.path))), logger: logger)
        let receipt = try await fax.send(try delivery())
        #expect(receipt.jobID == "4711")
        let argv = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(argv.prefix(3) == ["-n", "-d", "0734899960"])
        #expect(argv.count == 5 && argv[3].hasSuffix("notice.pdf") && argv[4] == "%PDF-1.4")
    }
}

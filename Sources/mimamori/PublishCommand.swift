import AMQP
import ArgumentParser
import Foundation
import Logging
import MimamoriBroker
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori publish FILE --key KEYFILE`: sign the exact bytes of FILE and publish them to
/// `mimamori.cases` as the police side does (routing key `case.<municipality>.<kind>`), waiting
/// for the broker's confirm. For drills and tests.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Sign and publish a case event the way the police side does.")

    @Argument(help: "The event JSON file (published byte for byte).")
    var file: String

    @Option(help: "Ed25519 private key from `mimamori keygen` (key id = file name without .key). Without it the event goes unsigned.")
    var key: String?

    @Option(help: "Broker URL (default: broker.url of the settings).")
    var broker: String?

    @Option(name: .customLong("password-file"), help: "File holding the broker password (default: $MIMAMORI_BROKER_PASSWORD).")
    var passwordFile: String?

    @Flag(
        name: .customLong("issued-now"),
        help: "Set the event's issuedAt to now before signing (a sample file from another day would be held as stale).")
    var issuedNow = false

    @OptionGroup var options: ConfigOption

    func run() async throws {
        guard var body = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        if issuedNow { body = try Self.stampIssuedAt(body, at: Date()) }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let municipality = object["municipality"] as? String, let kind = object["kind"] as? String
        else { throw ValidationError("\(file): not a case event (needs municipality and kind)") }
        let messageID = object["messageId"] as? String

        var headers: [String: AMQPHeaderValue] = [:]
        if let key {
            guard let text = try? String(contentsOfFile: key, encoding: .utf8) else { throw ValidationError("cannot read \(key)") }
            let signer = try EventSigner(keyID: EventSigner.keyID(forPath: key), privateKeyFileContents: text)
            for (name, value) in try signer.headers(for: body) { headers[name] = .string(value) }
        }

        let url: String
        if let broker {
            url = broker
        } else {
            let files = try SettingsFiles.load(configPath: SettingsFiles.configPath(options.config))
            url = files.configuration.broker.url
        }
        var password = ProcessInfo.processInfo.environment["MIMAMORI_BROKER_PASSWORD"]
        if let passwordFile {
            password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var logger = Logger(label: "mimamori.publish")
        logger.logLevel = .warning
        let configuration = try AMQPConfiguration(url: url, password: password)
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        do {
            try await connection.publish(
                exchange: AMQPTopology.casesExchange, routingKey: "case.\(municipality).\(kind)", body: Array(body),
                headers: headers, messageID: messageID, contentType: "application/json",
                // The broker refuses a user_id other than the login: the daemon sees who published.
                userID: configuration.user, persistent: true, mandatory: true)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        print(
            "published \(file)\(issuedNow ? " (issued now)" : "") as case.\(municipality).\(kind)\(key == nil ? " (unsigned)" : ", signed"), confirmed by the broker"
        )
    }

    /// The body with its `issuedAt` value replaced by `instant` (RFC 3339, Japan time); every
    /// other byte stays as in the file.
    static func stampIssuedAt(_ body: Data, at instant: Date) throws -> Data {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: #""issuedAt"\s*:\s*"[^"]*""#, options: .regularExpression) else {
            throw ValidationError("the event has no issuedAt to set")
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        formatter.formatOptions = [.withInternetDateTime]
        return Data(text.replacingCharacters(in: range, with: "\"issuedAt\": \"\(formatter.string(from: instant))\"").utf8)
    }
}

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

        let url: String
        if let broker {
            url = broker
        } else {
            let files = try SettingsFiles.load(configPath: SettingsFiles.configPath(options.config))
            url = files.configuration.broker.url
        }
        try await SignedPublishing.publish(
            Array(body), exchange: AMQPTopology.casesExchange, routingKey: "case.\(municipality).\(kind)", messageID: messageID,
            key: key, url: url, passwordFile: passwordFile, label: "mimamori.publish")
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

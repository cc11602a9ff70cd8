import AMQP
import ArgumentParser
import Foundation
import Logging
import Mimamori
import MimamoriCore

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

    @OptionGroup var options: ConfigOption

    func run() async throws {
        guard let body = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
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
        print("published \(file) as case.\(municipality).\(kind)\(key == nil ? " (unsigned)" : ", signed"), confirmed by the broker")
    }
}

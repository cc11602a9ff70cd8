import AMQP
import ArgumentParser
import Foundation
import Logging
import MimamoriBroker
import MimamoriCore
import MimamoriDaemon

/// `mimamori concern …`: concern reports (みまさかほっとネット) as the town's staff handle them.
/// Each subcommand lives in its own file.
struct ConcernCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concern",
        abstract: "Concern reports (みまさかほっとネット): enter one from a phone call, record its result, work the call-back list.",
        subcommands: [
            ConcernReportCommand.self, ConcernResolveCommand.self, ConcernCallbacksCommand.self, ConcernCalledBackCommand.self,
        ])
}

/// How a concern event reaches the broker: signed with the city's key, as `publish` does for cases.
struct ConcernPublishOptions: ParsableArguments {
    @Option(help: "The city's Ed25519 private key from `mimamori keygen` (key id = file name without .key).")
    var key: String

    @Option(help: "Broker URL of the staff's broker user (default: broker.url of the settings).")
    var broker: String?

    @Option(name: .customLong("password-file"), help: "File holding the broker password (default: $MIMAMORI_BROKER_PASSWORD).")
    var passwordFile: String?

    /// Signs `body` and publishes it to `mimamori.concerns` as `concern.<municipality>.<kind>`,
    /// returning once the broker confirmed it; returns that routing key.
    func publish(_ prepared: ConcernReportFile.Prepared, settings: Configuration) async throws -> String {
        guard let text = try? String(contentsOfFile: key, encoding: .utf8) else { throw ValidationError("cannot read \(key)") }
        let signer = try EventSigner(keyID: EventSigner.keyID(forPath: key), privateKeyFileContents: text)
        var headers: [String: AMQPHeaderValue] = [:]
        for (name, value) in try signer.headers(for: prepared.body) { headers[name] = .string(value) }

        var password = ProcessInfo.processInfo.environment["MIMAMORI_BROKER_PASSWORD"]
        if let passwordFile {
            password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var logger = Logger(label: "mimamori.concern")
        logger.logLevel = .warning
        let configuration = try AMQPConfiguration(url: broker ?? settings.broker.url, password: password)
        let routingKey = "concern.\(prepared.event.municipality).\(prepared.event.kind.rawValue)"
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        do {
            try await connection.publish(
                exchange: AMQPTopology.concernsExchange, routingKey: routingKey, body: prepared.body, headers: headers,
                messageID: prepared.event.messageID.uuidString.lowercased(), contentType: "application/json",
                // The broker refuses a user_id other than the login: the daemon sees who published.
                userID: configuration.user, persistent: true, mandatory: true)
        } catch  where error.code == .returned {
            await connection.close()
            printError(
                "\(AMQPTopology.concernsExchange) has no queue for \(routingKey): the town's concerns queue is missing (deploy/rabbitmq/definitions.json, concerns: in the settings)"
            )
            throw ExitCode.failure
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return routingKey
    }
}

extension ConcernReportFile.Problem {
    /// The problem on stderr, then a failing exit: nothing was published.
    func refuse(_ file: String) -> ExitCode {
        printError("\(file): \(self)")
        printError("送信していません。ファイルを直してから、もう一度実行してください。")
        return ExitCode.failure
    }
}

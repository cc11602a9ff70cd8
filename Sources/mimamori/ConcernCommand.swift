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
        let routingKey = "concern.\(prepared.event.municipality).\(prepared.event.kind.rawValue)"
        do {
            try await SignedPublishing.publish(
                prepared.body, exchange: AMQPTopology.concernsExchange, routingKey: routingKey,
                messageID: prepared.event.messageID.uuidString.lowercased(), key: key, url: broker ?? settings.broker.url,
                passwordFile: passwordFile, label: "mimamori.concern")
        } catch let error as AMQPError where error.code == .returned {
            printError(
                "\(AMQPTopology.concernsExchange) has no queue for \(routingKey): the town's concerns queue is missing (deploy/rabbitmq/definitions.json, concerns: in the settings)"
            )
            throw ExitCode.failure
        }
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

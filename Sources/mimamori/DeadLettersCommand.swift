import AMQP
import ArgumentParser
import Foundation
import Logging
import MimamoriBroker
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori dead-letters [--replay [--reason R]…]`: what the town's dead-letter queue holds and
/// why, one line per message (reason, case id, message id, size: never the body); with
/// `--replay`, the chosen ones go back to `mimamori.cases` once their cause is fixed (a police
/// key installed, a settings mistake corrected), where the daemon checks them again from the
/// start: signature, schema, case state. A genuine alert refused by our own misconfiguration is
/// then not lost.
///
/// Needs a broker account that may read `mimamori.<town>.dead` (and, to replay, write
/// `mimamori.cases`): the daemon's own account may do neither.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List dead-lettered case events and why; replay them once the cause is fixed.")

    @Flag(help: "Publish the listed messages (or those of --reason) back to mimamori.cases.")
    var replay = false

    @Option(help: "Only messages whose x-mimamori-reason starts with this (repeatable), e.g. signature.unknown-key.")
    var reason: [String] = []

    @Option(help: "Broker URL of an account that may read the dead-letter queue (default: broker.url of the settings).")
    var broker: String?

    @Option(name: .customLong("password-file"), help: "File holding the broker password (default: $MIMAMORI_BROKER_PASSWORD).")
    var passwordFile: String?

    @Option(help: "How long to wait for the broker to hand over the messages it counted.")
    var wait: Int = 5

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let files = try SettingsFiles.load(configPath: SettingsFiles.configPath(options.config))
        let municipality = files.configuration.municipality
        var password = ProcessInfo.processInfo.environment["MIMAMORI_BROKER_PASSWORD"]
        if let passwordFile {
            password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var logger = Logger(label: "mimamori.dead-letters")
        logger.logLevel = .warning
        var configuration = try AMQPConfiguration(url: broker ?? files.configuration.broker.url, password: password)
        let queue = AMQPTopology.deadQueue(municipality: municipality)

        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        let count = try await connection.messageCount(queue: queue)
        await connection.close()
        guard count > 0 else {
            print("\(queue): empty")
            return
        }
        // Every message stays unacked until the end (those not replayed go back to the queue
        // when the connection closes), so the consumer may hold all of them at once.
        configuration.prefetch = UInt16(clamping: count)
        let consumer = try await AMQPConnection.connect(configuration, logger: logger)
        var notReplayed = 0
        do {
            let (seen, chosen, replayed, refused) = try await walk(
                consumer, queue: queue, municipality: municipality, count: min(count, Int(UInt16.max)))
            await consumer.close()
            var summary = "\(queue): \(seen) dead-lettered"
            if !reason.isEmpty { summary += ", \(chosen) with reason \(reason.joined(separator: " or "))" }
            if replay {
                summary +=
                    ", \(replayed) replayed to \(AMQPTopology.casesExchange) or \(AMQPTopology.concernsExchange), where each was published"
            }
            if refused > 0 { summary += ", \(refused) not replayable (body not kept)" }
            print(summary)
            if replay && replayed > 0 {
                print(
                    "the daemon checks them again (signature, schema, case state): see event=intake.rejected or event=case.* in its journal"
                )
            }
            notReplayed = refused
        } catch {
            await consumer.close()
            throw error
        }
        if notReplayed > 0 {
            throw ValidationError(
                "\(notReplayed) dead letters were not replayed: only their headers, size and SHA-256 were kept (unsigned, forged or oversized); the publisher must send them again"
            )
        }
    }

    /// Returns how many messages it saw, how many matched `--reason`, how many it replayed, how
    /// many it could not replay (their body was not kept).
    private func walk(_ connection: AMQPConnection, queue: String, municipality: String, count: Int) async throws -> (Int, Int, Int, Int) {
        let deliveries = try await connection.consume(queue: queue)
        let seconds = wait
        let reasons = reason
        let replaying = replay
        return try await withThrowingTaskGroup(of: (Int, Int, Int, Int)?.self) { group in
            group.addTask {
                var listed = 0
                var matched = 0
                var replayed = 0
                var refused = 0
                for try await delivery in deliveries {
                    listed += 1
                    let why = delivery.headers[DeadLetterHeaders.mimamori.reason]?.stringValue ?? "-"
                    let chosen = reasons.isEmpty || reasons.contains { why.hasPrefix($0) }
                    let dropped = DeadLetterBody.wasDropped(headers: delivery.headers, body: delivery.body)
                    var line = "\(listed)\treason=\(why)\tcase=\(CaseIntake.peekCaseID(delivery.body)?.rawValue ?? "-")"
                    let size = dropped ? delivery.headers[DeadLetterBody.sizeHeader]?.intValue ?? 0 : Int64(delivery.body.count)
                    line += "\tmsg=\(delivery.messageID ?? "-")\tbytes=\(size)"
                    if dropped {
                        line += "\tsha256=\(delivery.headers[DeadLetterBody.sha256Header]?.stringValue ?? "-")\tbody=not-kept"
                    }
                    if replaying && chosen && dropped {
                        // Only the headers were kept (unsigned, forged, oversized…): there is
                        // nothing to send again. It stays in the queue until its TTL.
                        refused += 1
                        line += "\tnot replayed: its body was not kept (reason \(why)); the publisher must send it again"
                    } else if replaying && chosen {
                        try await Self.republish(delivery, connection: connection, municipality: municipality)
                        replayed += 1
                        line += "\treplayed"
                    }
                    if chosen {
                        matched += 1
                        print(line)
                    }
                    if listed == count { break }
                }
                return (listed, matched, replayed, refused)
            }
            group.addTask {
                // The count came from the queue's statistics; if another consumer took some,
                // stop waiting for them.
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw ValidationError(
                    "\(queue): the broker counted \(count) messages but did not hand them all over within \(seconds) s (another consumer?)")
            }
            return result
        }
    }

    /// Back to `mimamori.cases` under the routing key it first came with, with its own headers
    /// (the police side's signature) and message id, confirmed; only then is the dead copy acked.
    static func republish(_ delivery: AMQPDelivery, connection: AMQPConnection, municipality: String) async throws {
        var headers = delivery.headers
        let routingKey = headers[DeadLetterHeaders.mimamori.originalRoutingKey]?.stringValue ?? "case.\(municipality).replayed"
        // Back where it was published: a concern report to the concerns exchange, anything else to the cases.
        let exchange =
            headers[DeadLetterHeaders.mimamori.originalExchange]?.stringValue == AMQPTopology.concernsExchange
                || routingKey.hasPrefix("concern.")
            ? AMQPTopology.concernsExchange : AMQPTopology.casesExchange
        for name in [
            DeadLetterHeaders.mimamori.reason, DeadLetterHeaders.mimamori.originalRoutingKey, DeadLetterHeaders.mimamori.originalExchange,
        ] {
            headers[name] = nil
        }
        try await connection.publish(
            exchange: exchange, routingKey: routingKey, body: delivery.body, headers: headers,
            messageID: delivery.messageID, contentType: delivery.contentType, persistent: true, mandatory: true)
        try await connection.ack(delivery)
    }
}

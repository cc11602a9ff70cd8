import AMQP
import ArgumentParser
import Foundation
import Logging
import MimamoriCore

/// How the CLI publishes an event as its publisher would: signed with a key from
/// `mimamori keygen` (unless none is given), persistent, mandatory, with the login as `user_id`,
/// returning once the broker confirmed it. `publish` (cases) and `concern report/resolve` share it.
enum SignedPublishing {
    static func publish(
        _ body: [UInt8], exchange: String, routingKey: String, messageID: String?, key: String?, url: String,
        passwordFile: String?, label: String
    ) async throws {
        var headers: [String: AMQPHeaderValue] = [:]
        if let key {
            guard let text = try? String(contentsOfFile: key, encoding: .utf8) else { throw ValidationError("cannot read \(key)") }
            let signer = try EventSigner(keyID: EventSigner.keyID(forPath: key), privateKeyFileContents: text)
            for (name, value) in try signer.headers(for: body) { headers[name] = .string(value) }
        }
        var password = ProcessInfo.processInfo.environment["MIMAMORI_BROKER_PASSWORD"]
        if let passwordFile {
            password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var logger = Logger(label: label)
        logger.logLevel = .warning
        let configuration = try AMQPConfiguration(url: url, password: password)
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        do {
            try await connection.publish(
                exchange: exchange, routingKey: routingKey, body: body, headers: headers, messageID: messageID,
                contentType: "application/json",
                // The broker refuses a user_id other than the login: the daemon sees who published.
                userID: configuration.user, persistent: true, mandatory: true)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }
}

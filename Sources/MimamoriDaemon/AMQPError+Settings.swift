import AMQP
import MimamoriService

extension AMQPError {
    /// Where in Mimamori's own files the operator fixes what the AMQP client's hint names (the
    /// client knows only its URL and its topology, not our settings or deploy folder).
    var settingsHint: String? {
        switch code {
        case .invalidConfiguration, .connectionRefused, .timeout, .tlsHandshake:
            "the broker is set by broker.url in mimamori.yaml"
        case .authenticationFailed:
            "the user is in broker.url in mimamori.yaml, the password in the broker-password credential"
        case .accessRefused:
            "the daemon's permissions are in deploy/rabbitmq/definitions.json (deploy/broker-users.sh)"
        case .notFound, .preconditionFailed:
            "Mimamori's topology is deploy/rabbitmq/definitions.json; an older topology is moved by deploy/rabbitmq/migrate-dead-letters.sh"
        default:
            nil
        }
    }

    /// The error and, where one applies, the settings hint: one line for `startup.failed`.
    var withSettingsHint: String {
        settingsHint.map { "\(self); \($0)" } ?? "\(self)"
    }
}

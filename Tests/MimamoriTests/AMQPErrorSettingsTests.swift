import AMQP
import Testing

@testable import MimamoriDaemon

/// The AMQP client's hints speak of its URL; the daemon's startup line names Mimamori's own
/// setting, credential or deploy file as well, so the operator knows which file to open.
@Suite("startup: broker errors name the setting to fix")
struct AMQPErrorSettingsTests {
    @Test func wrongPasswordNamesTheCredential() {
        let error = AMQPError(.authenticationFailed, "login refused")
        #expect(error.withSettingsHint.contains("broker-password"))
        #expect(error.withSettingsHint.contains("broker.url"))
    }

    @Test func unreachableBrokerNamesTheURLSetting() {
        for code in [AMQPError.Code.connectionRefused, .timeout, .invalidConfiguration, .tlsHandshake] {
            #expect(AMQPError(code, "x").withSettingsHint.contains("broker.url in mimamori.yaml"), "\(code)")
        }
    }

    @Test func topologyMismatchNamesTheDefinitions() {
        #expect(AMQPError(.preconditionFailed, "x").withSettingsHint.contains("deploy/rabbitmq/definitions.json"))
        #expect(AMQPError(.staleDeliveryTag, "x").settingsHint == nil)
    }
}

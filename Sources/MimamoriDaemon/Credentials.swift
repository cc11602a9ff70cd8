import Foundation
import MimamoriService

/// Secrets handed over as files: systemd's `LoadCredential=` puts them in
/// `$CREDENTIALS_DIRECTORY`; outside systemd `--credentials DIR` names a folder with the same
/// file names. Never in mimamori.yaml, never logged.
public struct Credentials: Sendable {
    public var brokerPassword: String?
    public var smtpPassword: String?
    public var faxToken: String?
    /// The key that wraps each registration's data key (`RegistryVault`).
    public var registryKey: String?
    /// The key each delivery's confirmation code is signed with (`ConfirmationSigner`).
    public var confirmKey: String?
    /// The key the FAX service signs its status reports with (`FaxStatusWebhook`).
    public var faxWebhookKey: String?
    /// The PostgreSQL ledger's password (`ledger.url`).
    public var ledgerPassword: String?

    public init(
        brokerPassword: String? = nil, smtpPassword: String? = nil, faxToken: String? = nil, registryKey: String? = nil,
        confirmKey: String? = nil, faxWebhookKey: String? = nil, ledgerPassword: String? = nil
    ) {
        self.brokerPassword = brokerPassword
        self.smtpPassword = smtpPassword
        self.faxToken = faxToken
        self.registryKey = registryKey
        self.confirmKey = confirmKey
        self.faxWebhookKey = faxWebhookKey
        self.ledgerPassword = ledgerPassword
    }

    public static func load(directory: String?) -> Credentials {
        guard let directory else { return Credentials() }
        func read(_ name: String) -> String? {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        return Credentials(
            brokerPassword: read("broker-password"), smtpPassword: read("smtp-password"), faxToken: read("fax-token"),
            registryKey: read("registry-key"), confirmKey: read("confirm-key"),
            faxWebhookKey: read("fax-webhook-key"), ledgerPassword: read("ledger-password"))
    }
}

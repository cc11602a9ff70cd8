import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriService
import Outlets

/// The channels the settings ask for, built once at start.
struct DaemonOutlets: Sendable {
    /// The SMTP outlet: the email channel, the FAX email gateway and the operator's alarms.
    let email: EmailOutlet
    let adapters: [any ChannelAdapter]
    var all: [any Outlet] { adapters }
    /// The radio's outlet, whose spool the retention sweep clears.
    var radio: RadioOutlet? { adapters.lazy.compactMap { ($0 as? RadioDeliveryOutlet)?.outlet }.first }
    /// The FAX channel's outlet, whose HylaFAX queues the status pass reads.
    var fax: FaxOutlet? { adapters.lazy.compactMap { ($0 as? FaxDeliveryOutlet)?.outlet }.first }
    /// The secrets the outlets read at each transfer; a reload replaces their values.
    let smtpPassword: Credential?
    let faxToken: Credential?
    /// The key the FAX service signs its status reports with (`FaxStatusWebhook`).
    let faxWebhookKey: Credential?

    init(configuration: Configuration, credentials: Credentials, ledger: any DeliveryQueue, logger: Logger) throws(OutletError) {
        smtpPassword = credentials.smtpPassword.map(Credential.init)
        faxToken = credentials.faxToken.map(Credential.init)
        faxWebhookKey = credentials.faxWebhookKey.map(Credential.init)
        email = try EmailDeliveryOutlet.mail(configuration, password: smtpPassword, logger: Logger(label: "mimamori.email"))
        let context = ChannelContext(configuration: configuration, mail: email, faxToken: faxToken, ledger: ledger)
        var adapters: [any ChannelAdapter] = []
        for channel in Channels.adapters {
            if let adapter = try channel.make(context) { adapters.append(adapter) }
        }
        self.adapters = adapters
    }

    /// Credential files read again (SIGHUP): a rotated password or token applies at the next
    /// transfer. Returns the credentials that changed, and those that need a restart: one absent
    /// at start (the outlet was built without it) or removed since.
    func apply(_ credentials: Credentials) -> (changed: [String], restartNeeded: [String]) {
        var changed: [String] = []
        var restart: [String] = []
        for (name, secret, value) in [
            ("smtp-password", smtpPassword, credentials.smtpPassword), ("fax-token", faxToken, credentials.faxToken),
            ("fax-webhook-key", faxWebhookKey, credentials.faxWebhookKey),
        ] {
            switch (secret, value) {
            case (nil, nil): break
            case (let secret?, let value?): if secret.replace(with: value) { changed.append(name) }
            default: restart.append(name)
            }
        }
        return (changed, restart)
    }

    /// The channels first, then the SMTP outlet the FAX gateway and the alarms send through.
    func shutdown() async {
        for adapter in adapters { await adapter.shutdown() }
        await email.shutdown()
    }

    /// The handler of the FAX service's status reports (`POST /fax/status`), with `fax.method:
    /// http-api` and the `fax-webhook-key` credential; nil otherwise (the route then answers 404).
    func faxStatusWebhook(configuration: Configuration, ledger: any FaxLineStore, logger: Logger) -> FaxStatusWebhook? {
        guard configuration.fax.method == .httpAPI, fax != nil else { return nil }
        guard let faxWebhookKey else {
            // Sending works without it; what the line did is then unknown, and said so.
            logger.warning(
                "fax.status.off",
                metadata: .keys([
                    .reason: "no fax-webhook-key credential: the FAX service's status reports are refused, transmissions stay unknown"
                ]))
            return nil
        }
        return FaxStatusWebhook(
            ledger: ledger, key: faxWebhookKey, spacing: FaxLineSpacing(configuration.fax), logger: Logger(label: "mimamori.fax-status"))
    }
}

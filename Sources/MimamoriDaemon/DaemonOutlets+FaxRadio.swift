import MimamoriService
import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets

extension DaemonOutlets {
    /// FAX sent at once (a town has tens of institutions; providers limit parallel jobs).
    static let faxConcurrency = 4

    /// FAX by the method of `fax.method`, radio when `radio` is configured.
    static func faxAndRadio(
        _ configuration: Configuration, faxToken: Credential?, email: EmailOutlet, ledger: any DeliveryQueue, logger: Logger
    ) throws(OutletError) -> (outlets: [any Outlet], fax: FaxOutlet, radio: RadioOutlet?) {
        let from = EmailAddress(parsing: configuration.email.from)
        let method: FaxOutlet.Configuration.Method
        switch configuration.fax.method {
        case .emailGateway:
            method = .emailGateway(
                .init(
                    addressPattern: configuration.fax.gateway ?? "", from: from,
                    subject: "\(configuration.town.name) \(configuration.town.department) FAX送信依頼"))
        case .httpAPI:
            guard let token = faxToken else {
                throw OutletError(
                    code: .configuration, isRetriable: false, message: "fax.method http-api needs the fax-token credential",
                    operatorHint: "put the FAX API token into the fax-token credential (LoadCredential=)")
            }
            // One HTTP session per FAX the dispatcher sends at once: fewer would queue the rest
            // behind a slow provider's answers.
            method = .httpAPI(.init(url: configuration.fax.url ?? "", token: token, sessions: Self.faxConcurrency))
        case .hylafax:
            method = .hylaFAX(.init(sendfax: configuration.fax.sendfax, host: configuration.fax.host))
        }
        let fax = try FaxOutlet(configuration: .init(method: method), email: email, logger: Logger(label: "mimamori.fax"))
        var outlets: [any Outlet] = [FaxDeliveryOutlet(outlet: fax, concurrency: Self.faxConcurrency)]

        var radio: RadioOutlet?
        if let settings = configuration.radio {
            let spool = settings.spool.map { RadioSpool(directory: $0, ttsCommand: settings.ttsCommand) }
            let outlet = try RadioOutlet(
                configuration: .init(capURL: settings.capURL, spool: spool), logger: Logger(label: "mimamori.radio"))
            radio = outlet
            outlets.append(
                RadioDeliveryOutlet(
                    outlet: outlet, ledger: ledger, sender: from.address,
                    senderName: "\(configuration.town.name) \(configuration.town.department)",
                    areaDescription: configuration.town.name, contact: "\(configuration.town.department) \(configuration.town.phone)"))
        }
        return (outlets, fax, radio)
    }
}

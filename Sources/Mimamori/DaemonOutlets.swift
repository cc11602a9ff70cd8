import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets

/// The outlets the settings ask for, built once at start.
struct DaemonOutlets: Sendable {
    let email: EmailOutlet?
    let fax: FaxOutlet
    let radio: RadioOutlet?
    let all: [any Outlet]

    init(configuration: Configuration, credentials: Credentials, ledger: Ledger, logger: Logger) throws(OutletError) {
        let email = try EmailOutlet(
            configuration: Self.emailConfiguration(configuration.email, password: credentials.smtpPassword),
            logger: Logger(label: "mimamori.email"))
        self.email = email
        // Four deliveries in hand per SMTP session: while a session runs one SMTP transaction,
        // the next messages for it are already rendered and queued, so a session never waits
        // for the dispatcher (or for a busy CPU) between messages (10,000 emails: 1,900 msg/s
        // with one per session, 3,600-4,100 with two, 3,900-4,900 with four). Those queued
        // behind a busy session have not been sent: after a crash they are resumed, not
        // duplicated; the duplicates stay the sends that reached the server unrecorded.
        let all: [any Outlet] = [
            EmailDeliveryOutlet(
                outlet: email, from: EmailAddress(parsing: configuration.email.from),
                concurrency: 4 * configuration.email.sessions)
        ]
        let others = try Self.faxAndRadio(configuration, credentials: credentials, email: email, ledger: ledger, logger: logger)
        fax = others.fax
        radio = others.radio
        self.all = all + others.outlets
    }

    /// `smtp://[user@]host[:port]`: STARTTLS is required unless the relay is on loopback;
    /// `smtps://` is TLS from the first byte. The password comes from the smtp-password credential.
    static func emailConfiguration(_ email: Configuration.Email, password: String?) -> EmailOutlet.Configuration {
        let components = URLComponents(string: email.smtp)
        let host = components?.host ?? ""
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        let security: EmailOutlet.Configuration.Security =
            email.smtp.lowercased().hasPrefix("smtps://") ? .implicitTLS : (loopback ? .none : .startTLS)
        var credentials: EmailOutlet.Configuration.Credentials?
        if let user = components?.user, let password {
            credentials = .init(username: user.removingPercentEncoding ?? user, password: password)
        }
        var url = components ?? URLComponents()
        url.user = nil
        url.password = nil
        return EmailOutlet.Configuration(
            url: url.string ?? email.smtp, security: security, credentials: credentials, sessions: email.sessions)
    }

    func shutdown() async {
        await fax.shutdown()
        await radio?.shutdown()
        await email?.shutdown()
    }
}

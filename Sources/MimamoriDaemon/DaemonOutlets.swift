import MimamoriService
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
    /// The secrets the outlets read at each transfer; a reload replaces their values.
    let smtpPassword: Credential?
    let faxToken: Credential?

    init(configuration: Configuration, credentials: Credentials, ledger: any DeliveryQueue, logger: Logger) throws(OutletError) {
        smtpPassword = credentials.smtpPassword.map(Credential.init)
        faxToken = credentials.faxToken.map(Credential.init)
        let email = try EmailOutlet(
            configuration: Self.emailConfiguration(configuration.email, password: smtpPassword),
            logger: Logger(label: "mimamori.email"))
        self.email = email
        // Eight deliveries in hand per SMTP session: while a session runs one SMTP transaction,
        // the next messages for it are already rendered and queued, and those just sent wait
        // for their group commit without holding the session up (10,000 emails on a quiet
        // 2-core machine, steady rate: ~7,250 msg/s with four, ~8,200-8,600 with eight).
        // Those queued behind a busy session were never sent: after a crash they are resumed,
        // not duplicated. What a crash can duplicate is the sends that reached the server and
        // whose outcome was not yet committed: at most this many (64 with 8 sessions, each
        // with its stable Message-ID), against 8 before.
        let all: [any Outlet] = [
            EmailDeliveryOutlet(
                outlet: email, from: EmailAddress(parsing: configuration.email.from),
                concurrency: 8 * configuration.email.sessions)
        ]
        let others = try Self.faxAndRadio(configuration, faxToken: faxToken, email: email, ledger: ledger, logger: logger)
        fax = others.fax
        radio = others.radio
        self.all = all + others.outlets
    }

    /// `smtp://[user@]host[:port]`: STARTTLS is required unless the relay is on loopback;
    /// `smtps://` is TLS from the first byte. The password comes from the smtp-password credential.
    static func emailConfiguration(_ email: Configuration.Email, password: Credential?) -> EmailOutlet.Configuration {
        let components = URLComponents(string: email.smtp)
        let host = components?.host ?? ""
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        let security: EmailOutlet.Configuration.Security =
            email.smtp.lowercased().hasPrefix("smtps://") ? .implicitTLS : (loopback ? .none : .startTLS)
        var credentials: EmailOutlet.Configuration.Credentials?
        if let user = components?.user, let password {
            credentials = .init(username: user.removingPercentEncoding ?? user, secret: password)
        }
        var url = components ?? URLComponents()
        url.user = nil
        url.password = nil
        return EmailOutlet.Configuration(
            url: url.string ?? email.smtp, security: security, credentials: credentials, sessions: email.sessions)
    }

    /// Credential files read again (SIGHUP): a rotated password or token applies at the next
    /// transfer. Returns the credentials that changed, and those that need a restart: one absent
    /// at start (the outlet was built without it) or removed since.
    func apply(_ credentials: Credentials) -> (changed: [String], restartNeeded: [String]) {
        var changed: [String] = []
        var restart: [String] = []
        for (name, secret, value) in [("smtp-password", smtpPassword, credentials.smtpPassword), ("fax-token", faxToken, credentials.faxToken)] {
            switch (secret, value) {
            case (nil, nil): break
            case (let secret?, let value?): if secret.replace(with: value) { changed.append(name) }
            default: restart.append(name)
            }
        }
        return (changed, restart)
    }

    func shutdown() async {
        await fax.shutdown()
        await radio?.shutdown()
        await email?.shutdown()
    }
}

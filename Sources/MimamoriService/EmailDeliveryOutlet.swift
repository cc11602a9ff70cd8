import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets

/// The email channel: one message per volunteer, the photo attached only when the notice
/// carries one (the planner attaches it only with consent.photo), the delivery's confirmation
/// links at the end of the text when `confirm:` is set. Owns the `email:` section.
public struct EmailDeliveryOutlet: ChannelAdapter {
    public static let channel = Channel.email
    public var channel: Channel { Self.channel }
    public let concurrency: Int
    private let outlet: EmailOutlet
    private let from: EmailAddress
    private let notices = NoticeCache()
    private let contents = PreparedCache<MIMEMessage.Content>()
    /// `confirm:` and the town, for the links; nil confirm: none.
    private let confirm: Configuration.Confirm?
    private let town: Configuration.Town

    public init(
        outlet: EmailOutlet, from: EmailAddress, concurrency: Int, confirm: Configuration.Confirm?, town: Configuration.Town
    ) {
        self.outlet = outlet
        self.from = from
        self.concurrency = concurrency
        self.confirm = confirm
        self.town = town
    }

    // Eight deliveries in hand per SMTP session: while a session runs one SMTP transaction,
    // the next messages for it are already rendered and queued, and those just sent wait
    // for their group commit without holding the session up (`make bench` shows the rate
    // this buys against four in hand).
    // Those queued behind a busy session were never sent: after a crash they are resumed,
    // not duplicated. What a crash can duplicate is the sends that reached the server and
    // whose outcome was not yet committed: at most this many (64 with 8 sessions, each
    // with its stable Message-ID), against 8 before.
    public static func make(_ context: ChannelContext) -> EmailDeliveryOutlet? {
        EmailDeliveryOutlet(
            outlet: context.mail, from: EmailAddress(parsing: context.configuration.email.from),
            concurrency: 8 * context.configuration.email.sessions, confirm: context.configuration.confirm,
            town: context.configuration.town)
    }

    /// The SMTP outlet of `email:`, built before the channels: the FAX email gateway and the
    /// operator's alarms send through it too.
    public static func mail(_ configuration: Configuration, password: Credential?, logger: Logger) throws(OutletError)
        -> EmailOutlet
    {
        try EmailOutlet(configuration: outletConfiguration(configuration.email, password: password), logger: logger)
    }

    /// `smtp://[user@]host[:port]`: STARTTLS is required unless the relay is on loopback;
    /// `smtps://` is TLS from the first byte. The password comes from the smtp-password credential.
    static func outletConfiguration(_ email: Configuration.Email, password: Credential?) -> EmailOutlet.Configuration {
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

    /// What every recipient of a notice gets alike: sender, subject, text and, on a notice that
    /// carries personal data, the photo.
    static func content(_ notice: RenderedNotice, from: EmailAddress, options: MIMEMessage.Options) throws(OutletError)
        -> MIMEMessage.Content
    {
        var attachments: [EmailAttachment] = []
        if let photo = notice.photo, notice.kind.carriesPersonalData {
            attachments.append(
                EmailAttachment(
                    filename: "photo-\(notice.caseID.rawValue).\(photo.mediaType == .png ? "png" : "jpg")",
                    mediaType: photo.mediaType.rawValue, bytes: photo.data))
        }
        return try MIMEMessage.Content(
            from: from, subject: notice.email.subject, body: notice.email.body, attachments: attachments, options: options)
    }

    public func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        // Encoded once per notice, then only the per-recipient headers (and, with a code, the
        // text part with its links) are written for each message.
        let shared = try contents.value(for: job) { () throws(DeliveryFailure) in
            let notice = try notices.notice(for: job)
            do throws(OutletError) {
                return try Self.content(notice, from: from, options: outlet.configuration.mime)
            } catch {
                throw DeliveryFailure(outletError: error)
            }
        }
        let content = ConfirmationRequest(job, confirm: confirm, town: town).map { shared.appendingToBody($0.emailBlock) } ?? shared
        do throws(OutletError) {
            try await outlet.send(content, to: EmailAddress(job.address), idempotencyKey: job.idempotencyKey, date: Date())
        } catch {
            throw DeliveryFailure(outletError: error)
        }
    }

    /// `<kind>.eml`: the message as a volunteer would receive it (with `confirm:`, the links of
    /// the sample code).
    public static func render(_ notice: RenderedNotice, delivery: PlannedDelivery, configuration: Configuration) throws(OutletError)
        -> [RenderedFile]
    {
        let options = outletConfiguration(configuration.email, password: nil).mime
        var content = try content(notice, from: EmailAddress(parsing: configuration.email.from), options: options)
        if let request = ConfirmationRequest.sample(for: delivery, configuration: configuration) {
            content = content.appendingToBody(request.emailBlock)
        }
        let to = EmailAddress("volunteer@example.jp", displayName: "協力者")
        try MIMEMessage.Content.validate(recipient: to, idempotencyKey: delivery.idempotencyKey)
        let bytes = content.rendered(to: to, idempotencyKey: delivery.idempotencyKey, date: delivery.notBefore)
        return [RenderedFile(name: "\(notice.kind.rawValue).eml", bytes: Data(bytes))]
    }

    /// The SMTP outlet is the daemon's mail: `DaemonOutlets` closes it after every channel.
    public func shutdown() async {}
}

extension DeliveryFailure {
    /// An outlet's error in the dispatcher's terms; the retry decision and the scope stay the
    /// outlet's. A refusal of the channel or of the message is named by its reply
    /// (`smtp-530`, `http-401`); an unreachable server is `unreachable`; a recipient's refusal
    /// keeps its kind (`rejected`, `deferred`, `badAddress`).
    public init(outletError error: OutletError) {
        let scope: Scope =
            switch error.scope {
            case .recipient: .recipient
            case .message: .message
            case .channel: .channel
            }
        var code: Code =
            switch error.code {
            case .connectionFailed, .tlsFailed: .unreachable
            case .timedOut: .timeout
            case .rejected: .rejected
            case .deferred: .deferred
            case .invalidInput: .badAddress
            case .configuration, .authenticationFailed: .misconfigured
            case .shutDown: .cancelled
            default: Code(error.code.name)
            }
        if scope != .recipient {
            if let reply = error.smtpReplyCode, error.smtpStage != nil {
                code = .reply("smtp", reply)
            } else if let status = error.httpStatus {
                code = .reply("http", status)
            }
        }
        let stage = error.smtpStage?.rawValue
        var summary =
            error.smtpReplyCode.map { "smtp \($0): \(error.message)" } ?? error.httpStatus.map { "http \($0): \(error.message)" }
            ?? error.message
        if let stage { summary += " (at \(stage))" }
        self.init(
            code: code, isRetriable: error.isRetriable, summary: summary, operatorHint: error.operatorHint, scope: scope,
            stage: stage)
    }
}

extension EmailAddress {
    /// `紀美野町 保健福祉課 <sos@town.example.jp>` or a bare address, as mimamori.yaml writes `from`.
    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), let close = trimmed.lastIndex(of: ">"), open < close {
            let address = String(trimmed[trimmed.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            self.init(address, displayName: name.isEmpty ? nil : name)
        } else {
            self.init(trimmed)
        }
    }
}

import Foundation
import Ledger
import MimamoriCore
import Outlets

/// The email channel of the dispatcher: one message per volunteer, the photo attached only when
/// the notice carries one (the planner attaches it only with consent.photo).
public struct EmailDeliveryOutlet: Outlet {
    public let channel = Channel.email
    public let concurrency: Int
    private let outlet: EmailOutlet
    private let from: EmailAddress
    private let notices = NoticeCache()
    private let contents = PreparedCache<MIMEMessage.Content>()

    public init(outlet: EmailOutlet, from: EmailAddress, concurrency: Int) {
        self.outlet = outlet
        self.from = from
        self.concurrency = concurrency
    }

    public func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        // Sender, subject, text and photo are the same for every recipient of a notice: encoded
        // once, then only the per-recipient headers are written for each message.
        let content = try contents.value(for: job) { () throws(DeliveryFailure) in
            let notice = try notices.notice(for: job)
            var attachments: [EmailAttachment] = []
            if let photo = notice.photo, job.kind.carriesPersonalData {
                attachments.append(
                    EmailAttachment(
                        filename: "photo-\(job.caseID.rawValue).\(photo.mediaType == .png ? "png" : "jpg")",
                        mediaType: photo.mediaType.rawValue, bytes: photo.data))
            }
            do throws(OutletError) {
                return try outlet.prepare(
                    from: from, subject: notice.email.subject, body: notice.email.body, attachments: attachments)
            } catch {
                throw DeliveryFailure(outletError: error)
            }
        }
        do throws(OutletError) {
            try await outlet.send(content, to: EmailAddress(job.address), idempotencyKey: job.idempotencyKey, date: Date())
        } catch {
            throw DeliveryFailure(outletError: error)
        }
    }
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
        var summary = error.smtpReplyCode.map { "smtp \($0): \(error.message)" } ?? error.httpStatus.map { "http \($0): \(error.message)" } ?? error.message
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

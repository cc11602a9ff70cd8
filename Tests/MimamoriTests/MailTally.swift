import Foundation
import TestFixtures

/// What the test SMTP server received, sorted by recipient and notice kind (from the decoded
/// subject), with every Message-ID that arrived more than once.
struct MailTally {
    struct Mail {
        var recipient: String
        var kind: String
        var messageID: String
        var pdfs: Int
        var subject: String
    }

    var mails: [Mail] = []

    init(_ smtp: SMTPServer) throws {
        for message in try smtp.received() {
            guard let decoded = message.decoded else {
                throw FixtureError("the SMTP server could not decode a message: \(message.decode_error ?? "?")")
            }
            for recipient in message.rcpt_tos {
                mails.append(
                    Mail(
                        recipient: recipient.lowercased(), kind: Self.kind(of: decoded.subject), messageID: decoded.message_id,
                        pdfs: decoded.attachments.filter { $0.content_type == "application/pdf" && $0.head.hasPrefix("%PDF") }.count,
                        subject: decoded.subject))
            }
        }
    }

    /// alert / update / termination / destruction-reminder / destruction-second-reminder from an email subject or a FAX
    /// document title (the gateway mail's subject); "other" for anything else (operator alarms).
    static func kind(of subject: String) -> String {
        if subject.contains("発見にご協力ください") || subject.contains("発見支援のお願い") { return "alert" }
        if subject.contains("情報更新") { return "update" }
        if subject.contains("終結") { return "termination" }
        if subject.contains("再度のお願い") { return "destruction-second-reminder" }
        if subject.contains("書類の処分") { return "destruction-reminder" }
        return "other"
    }

    /// Recipients that received `kind` at least once.
    func recipients(of kind: String) -> Set<String> {
        Set(mails.filter { $0.kind == kind }.map(\.recipient))
    }

    /// How many messages of `kind` arrived (duplicates included).
    func count(of kind: String) -> Int { mails.filter { $0.kind == kind }.count }

    /// Copies beyond the first, by Message-ID (a resend of the same delivery keeps its id).
    var duplicatesByMessageID: Int {
        var seen: [String: Int] = [:]
        for mail in mails { seen[mail.messageID, default: 0] += 1 }
        return seen.values.reduce(0) { $0 + max(0, $1 - 1) }
    }

    /// Copies beyond the first, by (recipient, kind).
    var duplicatesByRecipient: Int {
        var seen: [String: Int] = [:]
        for mail in mails { seen["\(mail.recipient)\u{0}\(mail.kind)", default: 0] += 1 }
        return seen.values.reduce(0) { $0 + max(0, $1 - 1) }
    }
}

extension DaemonFolder.Cooperator {
    /// The envelope recipient the daemon uses: the volunteer's address, or the FAX gateway's
    /// `{number}@fax.example.jp` with the number's digits.
    var envelopeRecipient: String {
        channel == "fax" ? "\(address.filter(\.isNumber))@fax.example.jp" : address.lowercased()
    }
}

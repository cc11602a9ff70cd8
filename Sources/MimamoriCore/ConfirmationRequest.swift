/// What one delivery asks its recipient to confirm, in the words the recipient reads: the
/// email's links and the FAX's QR code, short URL and reply strip. Written at send time, since
/// the code differs per delivery while the notice is stored once for all its recipients.
public struct ConfirmationRequest: Sendable, Hashable {
    public var kind: NoticeKind
    public var code: ConfirmationCode
    public var links: ConfirmationLinks
    /// What the recipient is asked: 受け取りました and 処分しました, or 処分しました alone.
    public var asks: [Confirmation]
    /// Where the reply strip is FAXed back; nil: the strip names the town's phone instead.
    public var replyFax: String?
    /// 紀美野町 保健福祉課 and its phone, for those who would rather call.
    public var office: String
    public var phone: String
    /// 町, 市…: where the confirmation arrives (「町に届きます」).
    public var townKind: String

    /// Nil when the kind asks for nothing (concern and shelter notices).
    public init?(kind: NoticeKind, code: ConfirmationCode, confirm: Configuration.Confirm, town: Configuration.Town) {
        guard !kind.confirmations.isEmpty else { return nil }
        self.kind = kind
        self.code = code
        links = confirm.links(code)
        asks = kind.confirmations
        replyFax = confirm.replyFax
        office = "\(town.name) \(town.department)"
        townKind = town.kind
        phone = town.phone
    }

    /// The destruction reminder's one confirmation stands for every paper and mail of the case
    /// the recipient holds (the ledger records it so), and its words have to say that, or a
    /// cooperator confirms each document again or thinks the older ones still need answering.
    public var coversEveryDocument: Bool { kind == .destructionReminder }

    /// The block at the end of the email body.
    public var emailBlock: String {
        var lines = ["", "■ \(heading)（リンクを開いてボタンを押すだけで\(townKind)に届きます）"]
        if coversEveryDocument {
            lines.append("この件でお送りした書類とメール（発見支援のお願い・続報・終結のお知らせ）をすべて処分したら、")
            lines.append("次のリンクからお知らせください。一度のご連絡で、この件の書類すべての処分として記録します。")
        } else if kind == .termination {
            lines.append("この件でお送りした書類とメールを処分したら、次のリンクからお知らせください。")
        }
        for confirmation in asks {
            switch confirmation {
            case .received:
                lines.append("\(confirmation.japanese) → \(links.received)")
            case .destroyed where asks.count > 1:
                lines.append("\(confirmation.japanese)（捜索が終わり、このメールを削除したら） → \(links.destroyed)")
            case .destroyed:
                lines.append("\(confirmation.japanese) → \(links.destroyed)")
            }
        }
        lines.append("確認コード \(code.rawValue)（電話でお知らせいただくときは、このコードをお伝えください）")
        return lines.joined(separator: "\n") + "\n"
    }

    /// 受け取りのご連絡 for a notice that asks both, 処分のご連絡 for one that asks only that.
    public var heading: String { asks.contains(.received) ? "受け取り・処分のご連絡" : "処分のご連絡" }

    /// Beside the QR code on the FAX: what to do with it (one line where it can be: the band
    /// takes room from the notice's own text).
    public var faxLead: String {
        if coversEveryDocument {
            return "この件の書類（お願い・続報・終結のお知らせ）をすべて処分したら、QRコードか次のアドレスからお知らせください。一度のご連絡で、すべての書類の処分として記録します。"
        }
        return asks.contains(.received)
            ? "届いたら・処分したら、QRコードか次のアドレスからお知らせください。"
            : "この件の書類を処分したら、QRコードか次のアドレスからお知らせください。"
    }

    /// Under the tick boxes: how to send the strip back, or whom to call.
    public var replyInstruction: String {
        if let replyFax {
            return "この欄に印をつけて、このままFAXで返送してください（FAX \(replyFax)）"
        }
        return "お電話でお知らせいただくときは、\(office)（電話 \(phone)）へ確認コードをお伝えください"
    }
}

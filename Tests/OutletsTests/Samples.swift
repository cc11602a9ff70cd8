import Foundation
import Outlets

/// Rendered notices as the core would hand them over (fictional person, fictional town).
enum Samples {
    static let subject = "【捜索協力のお願い】紀美野町で80代の男性が行方不明です（KN-0042・第1報）"
    static let body = """
        紀美野町 保健福祉課より、見守りネットワーク協力者の皆さまへ。

        本日11月27日 午後3時ごろ、紀美野町下佐々付近で80代の男性が行方不明になりました。
        身長約165cm、やせ型、白髪の短髪です。
        服装：紺色のジャンパー、灰色のズボン、黒い運動靴。茶色の杖を持っています。

        見かけた方は、紀美野町役場（073-489-9960）または110番へご連絡ください。
        ご本人に声をかけるときは、前から、ゆっくり、やさしくお願いします。

        ※このメールは返信できません。捜索終了後は、この情報を削除してください。
        """
    static let from = EmailAddress("sos@town.example.jp", displayName: "紀美野町 保健福祉課（見守りネットワーク）")
    static let date = Date(timeIntervalSince1970: 1_795_761_300)  // 2026-11-27 15:35 JST

    static func email(to address: String, name: String? = "協力者 山田花子 様", key: String = "KN-0042/1/email/vol-001",
                      attachments: [EmailAttachment] = []) -> EmailMessage {
        EmailMessage(
            from: from, to: EmailAddress(address, displayName: name), subject: subject, body: body,
            attachments: attachments, idempotencyKey: key, date: date)
    }
}

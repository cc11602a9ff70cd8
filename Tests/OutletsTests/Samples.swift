import Foundation
import Outlets
import TestFixtures

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

    static func email(
        to address: String, name: String? = "協力者 山田花子 様", key: String = "KN-0042/1/email/vol-001",
        attachments: [EmailAttachment] = []
    ) -> EmailMessage {
        EmailMessage(
            from: from, to: EmailAddress(address, displayName: name), subject: subject, body: body,
            attachments: attachments, idempotencyKey: key, date: date)
    }
}

extension Samples {
    static let description = "80代の男性。身長約165cm、やせ型、白髪の短髪。少し前かがみでゆっくり歩きます。"
    static let clothing = "紺色のジャンパー、灰色のズボン、黒い運動靴。茶色の杖を持っています。"

    /// A silhouette (not a person) drawn for the tests: `Tests/Servers/portrait.jpg`.
    static var portrait: Data {
        get throws { try Data(contentsOf: repositoryFile("Tests/Servers/portrait.jpg")) }
    }

    static func repositoryFile(_ path: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path)
    }

    static func fax(drill: Bool = true, photo: Bool = true, extraParagraphs: Int = 0) throws -> FaxDocument {
        var paragraphs: [FaxDocument.Paragraph] = [
            .init(
                "本日11月27日 午後3時ごろ、紀美野町下佐々付近の自宅を出たまま行方が分からなくなっています。"
                    + "徒歩のため、町内または隣接する海南市方面にいる可能性があります。"),
            .init("見かけた方は、紀美野町役場 保健福祉課 073-489-9960（24時間）または110番へご連絡ください。", style: .boxed),
            .init("声をかけるときは、前から、ゆっくり、やさしくお願いします。無理に引き止めず、連絡をお願いします。"),
        ]
        for n in 0..<extraParagraphs {
            paragraphs.append(.init("（補足\(n + 1)）" + String(repeating: "長い補足説明の文章が続きます。改ページと折り返しの確認用です。", count: 6)))
        }
        return FaxDocument(
            title: "行方不明者の捜索協力のお願い（紀美野町・第1報）",
            drillBanner: drill ? "【訓練】この通知は訓練です" : nil,
            rows: [
                .init("受付番号", "KN-0042"),
                .init("いなくなった日時", "2026年11月27日（金）午後3時ごろ"),
                .init("場所", "紀美野町下佐々付近"),
                .init("特徴", description),
                .init("服装", clothing),
            ],
            photo: photo ? FaxDocument.Photo(bytes: try portrait, mediaType: "image/jpeg", caption: "ご本人の写真（家族の同意あり）") : nil,
            paragraphs: paragraphs,
            footer: "この文書は捜索終了の連絡を受けたら、速やかにシュレッダーで廃棄してください。転送・掲示はしないでください。")
    }
}

/// A relay that requires STARTTLS and a login (the municipal relay's usual setting), and how an
/// outlet reaches it with a given password.
struct TLSRelay {
    let certificate: TLSCertificate
    let server: SMTPServer
    let user: String

    init(user: String, password: String) throws {
        certificate = try TLSCertificate.make()
        do {
            server = try SMTPServer(.init(tls: certificate, requireTLS: true, auth: (user, password)))
        } catch {
            certificate.remove()
            throw error
        }
        self.user = user
    }

    /// STARTTLS against the relay's own CA, logging in with `password`.
    func configure(_ configuration: inout EmailOutlet.Configuration, password: String) {
        configuration.security = .startTLS
        configuration.caFile = certificate.certificate.path
        configuration.credentials = .init(username: user, password: password)
    }

    func stop() {
        server.stop()
        certificate.remove()
    }
}

import Foundation
import Logging
import MimamoriCore
import Outlets

/// Sends each delivery alarm to `operator.alarm-email`, and logs it. The mail holds ids, codes
/// and what to do — never the person's data or the recipient's address.
public struct EmailOperatorAlarm: OperatorAlarm {
    private let mail: AlarmMail
    private let to: String?
    private let logger: Logger

    public init(outlet: EmailOutlet?, from: EmailAddress, to: String?, town: String, logger: Logger) {
        self.mail = AlarmMail(outlet: outlet, from: from, town: town)
        self.to = to
        self.logger = logger
    }

    public func raise(_ alarm: DeliveryAlarm) async -> Bool {
        logger.error(
            "delivery.alarm",
            metadata: .keys([
                .case: "\(alarm.caseID)", .recipient: "\(alarm.recipient)", .channel: "\(alarm.channel.rawValue)",
                .kind: "\(alarm.kind.rawValue)", .attempt: "\(alarm.attempts)", .reason: "\(alarm.reason.rawValue)",
                .code: .string(alarm.errorCode ?? "-"),
            ]))
        // Without an alarm address the journal line is the alarm.
        guard mail.canSend, let to else { return true }
        let what =
            switch alarm.reason {
            case .permanentFailure: "送信できませんでした（恒久的なエラー）"
            case .expired: "期限までに送信できませんでした"
            case .noticeRefused: "中継サーバーに通知そのものを拒否され、この経路の全宛先に送信できませんでした"
            }
        let body = mail.body([
            alarm.kind.isShelter
                ? "次の通知が\(what)。緊急一時保護の施設あての依頼書（またはその控え）です。保健福祉の担当職員に伝え、施設へ電話で直接お知らせください。"
                : "次の通知が\(what)。協力者への連絡方法を確認し、必要なら電話などで直接お知らせください。",
            "",
            "　案件番号　\(alarm.caseID)",
            "　宛先ID　　\(alarm.recipient)",
            "　経路　　　\(alarm.channel.rawValue)",
            "　通知　　　\(alarm.kind.rawValue)",
            "　試行回数　\(alarm.attempts)",
            "　エラー　　\(alarm.errorCode ?? "-")",
            "　対処　　　\(alarm.operatorHint)",
            "",
            "詳細: mimamori report \(alarm.caseID)",
        ])
        return await send(
            to: to, subject: "【要対応】通知の未送信 \(alarm.caseID) \(alarm.recipient)", body: body,
            key: "alarm.\(alarm.deliveryID)\(alarm.resends > 0 ? ".r\(alarm.resends)" : "").\(alarm.reason.rawValue)",
            caseID: "\(alarm.caseID)")
    }

    /// One mail per pause: which channel, since when, the server's answer and what to check.
    public func raise(_ alarm: ChannelAlarm) async -> Bool {
        logger.error(
            "channel.alarm",
            metadata: .keys([
                .channel: "\(alarm.channel.rawValue)", .code: .string(alarm.code), .stage: .string(alarm.stage ?? "-"),
            ]))
        guard mail.canSend, let to else { return true }
        let since = Self.japanTime(alarm.pausedAt)
        let body = mail.body([
            "送信経路「\(alarm.channel.rawValue)」を一時停止しました。サーバーが応答しないか、この経路の送信そのものを拒否しています。",
            "通知は失敗扱いにせず保留し、数秒おきに1件ずつ試して、通ればすぐ再開します（再開は journal の channel.resumed で確認できます）。",
            "",
            "　経路　　　\(alarm.channel.rawValue)",
            "　停止時刻　\(since)",
            "　エラー　　\(alarm.code)\(alarm.stage.map { "（\($0)）" } ?? "")",
            "　対処　　　\(alarm.operatorHint)",
            "",
            "状況: metrics.listen のポートの /healthz、journalctl -u mimamorid",
        ])
        return await send(
            to: to, subject: "【要対応】送信経路の一時停止 \(alarm.channel.rawValue) \(alarm.code)", body: body,
            key: "alarm.channel.\(alarm.channel.rawValue).\(Int64(alarm.pausedAt.timeIntervalSince1970 * 1000))", caseID: "-")
    }

    private func send(to: String, subject: String, body: String, key: String, caseID: String) async -> Bool {
        do throws(OutletError) {
            try await mail.send(to: to, subject: subject, body: body, key: key)
            return true
        } catch {
            // A relay that is down or refuses us (AUTH, MAIL FROM: a channel fault, retriable):
            // still owed, raised again (same Message-ID) later. A refusal for good (bad alarm
            // address): the journal lines are all there will ever be, so it is not raised every
            // minute forever.
            logger.error(
                "alarm.unsent",
                metadata: .keys([
                    .case: .string(caseID), .code: "\(error.code)", .retriable: "\(error.isRetriable)",
                    .reason: .string(error.scope.rawValue),
                ]))
            return !error.isRetriable && error.scope != .channel
        }
    }

    static func japanTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date) + " (JST)"
    }
}

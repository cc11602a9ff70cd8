import Foundation
import Logging
import MimamoriCore
import Outlets

/// Sends each delivery alarm to `operator.alarm-email`, and logs it. The mail holds ids, codes
/// and what to do — never the person's data or the recipient's address.
public struct EmailOperatorAlarm: OperatorAlarm {
    private let outlet: EmailOutlet?
    private let from: EmailAddress
    private let to: String?
    private let town: String
    private let logger: Logger

    public init(outlet: EmailOutlet?, from: EmailAddress, to: String?, town: String, logger: Logger) {
        self.outlet = outlet
        self.from = from
        self.to = to
        self.town = town
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
        guard let outlet, let to else { return true }
        let what =
            switch alarm.reason {
            case .permanentFailure: "送信できませんでした（恒久的なエラー）"
            case .expired: "期限までに送信できませんでした"
            }
        let body = """
            \(town) 見守りシステム（mimamorid）からの自動通知です。

            次の通知が\(what)。協力者への連絡方法を確認し、必要なら電話などで直接お知らせください。

            　案件番号　\(alarm.caseID)
            　宛先ID　　\(alarm.recipient)
            　経路　　　\(alarm.channel.rawValue)
            　通知　　　\(alarm.kind.rawValue)
            　試行回数　\(alarm.attempts)
            　エラー　　\(alarm.errorCode ?? "-")
            　対処　　　\(alarm.operatorHint)

            詳細: mimamori report \(alarm.caseID)
            """
        let message = EmailMessage(
            from: from, to: EmailAddress(to), subject: "【要対応】通知の未送信 \(alarm.caseID) \(alarm.recipient)",
            body: body, idempotencyKey: "alarm.\(alarm.deliveryID)\(alarm.resends > 0 ? ".r\(alarm.resends)" : "").\(alarm.reason.rawValue)", date: Date())
        do {
            try await outlet.send(message)
            return true
        } catch {
            // A relay that is down: still owed, raised again (same Message-ID) at the dispatcher's
            // next look. A refusal for good (bad alarm address): the journal lines are all there
            // will ever be, so it is not raised every minute forever.
            logger.error(
                "alarm.unsent",
                metadata: .keys([.case: "\(alarm.caseID)", .code: "\(error.code)", .retriable: "\(error.isRetriable)"]))
            return !error.isRetriable
        }
    }
}

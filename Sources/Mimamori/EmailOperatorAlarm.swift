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

    public func raise(_ alarm: DeliveryAlarm) async {
        logger.error(
            "delivery.alarm",
            metadata: .keys([
                .case: "\(alarm.caseID)", .recipient: "\(alarm.recipient)", .channel: "\(alarm.channel.rawValue)",
                .kind: "\(alarm.kind.rawValue)", .attempt: "\(alarm.attempts)", .reason: "\(alarm.reason.rawValue)",
                .code: .string(alarm.errorCode ?? "-"),
            ]))
        guard let outlet, let to else { return }
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
            body: body, idempotencyKey: "alarm.\(alarm.deliveryID).\(alarm.reason.rawValue)", date: Date())
        do {
            try await outlet.send(message)
        } catch {
            logger.error("alarm.unsent", metadata: .keys([.case: "\(alarm.caseID)", .code: "\(error.code)"]))
        }
    }
}

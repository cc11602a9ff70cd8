import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets
import ServiceLifecycle

/// Mails the case alarms the ledger owes (`case_alarms`): an open case never closed, to the
/// staff; an event held as stale, to the staff and to the operator. The ledger is the outbox:
/// an alarm is marked sent only once the relay took every mail of it, so a crash or a down relay
/// means it is sent again (same Message-ID) at the next pass, never lost and never raised twice.
///
/// Ids and what to do only: never the person's data.
public final class CaseAlarmService: Service, Sendable {
    /// Where the mails go, read at each pass (SIGHUP may change them).
    public struct Recipients: Sendable {
        public var staff: [String]
        public var `operator`: String?
        public init(configuration: Configuration) {
            staff = configuration.staffAlarmRecipients
            self.operator = configuration.operator.alarmEmail
        }
    }

    private let ledger: any AlarmOutbox
    private let mail: AlarmMail
    private let recipients: @Sendable () -> Recipients
    private let interval: Duration
    private let logger: Logger
    private let wakeSignal = WakeSignal()

    public init(
        ledger: any AlarmOutbox, outlet: EmailOutlet?, from: EmailAddress, town: String,
        recipients: @escaping @Sendable () -> Recipients, interval: Duration = .seconds(60), logger: Logger
    ) {
        self.ledger = ledger
        self.mail = AlarmMail(outlet: outlet, from: from, town: town)
        self.recipients = recipients
        self.interval = interval
        self.logger = logger
    }

    /// Something raised an alarm: send it now rather than at the next pass.
    public func wake() { wakeSignal.signal() }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sendOwed()
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.wakeSignal.wait() }
                    group.addTask { try? await Task.sleep(for: self.interval) }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    /// One pass over the owed alarms; a pass stops at the first refusal of the relay (it would
    /// refuse the others too).
    func sendOwed() async {
        let owed: [CaseAlarm]
        do {
            owed = try await ledger.owedCaseAlarms()
        } catch {
            logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
            return
        }
        let recipients = self.recipients()
        for alarm in owed {
            let to = alarm.audience == .staff ? recipients.staff : recipients.operator.map { [$0] } ?? []
            logger.warning(
                "case.alarm",
                metadata: .keys([.case: "\(alarm.caseID)", .kind: .string(alarm.kind.rawValue), .to: .string(alarm.audience.rawValue)]))
            if mail.canSend, !to.isEmpty {
                let (subject, body) = Self.message(for: alarm, in: mail)
                do throws(OutletError) {
                    for address in to {
                        try await mail.send(
                            to: address, subject: subject, body: body,
                            key: "case-alarm.\(alarm.kind.rawValue).\(alarm.audience.rawValue).\(alarm.caseID)")
                    }
                } catch {
                    logger.error(
                        "alarm.unsent",
                        metadata: .keys([
                            .case: "\(alarm.caseID)", .reason: .string(alarm.kind.rawValue), .code: "\(error.code)",
                            .retriable: "\(error.isRetriable)",
                        ]))
                    return
                }
            }
            // Without an address the journal line is the alarm.
            do {
                try await ledger.markCaseAlarmSent(alarm, at: Date())
            } catch {
                logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
                return
            }
        }
    }

    /// The mail's subject and body: Japanese, for the staff (and the operator for a held event).
    static func message(for alarm: CaseAlarm, in mail: AlarmMail) -> (subject: String, body: String) {
        let drill = alarm.drill ? "【訓練】" : ""
        let opened = JapaneseDateFormat.dateTime(alarm.openedAt)
        let lines: [String]
        let subject: String
        switch alarm.kind {
        case .openCase where alarm.schema == EventSchema.concern.rawValue:
            subject = "【確認】\(drill)結果の記録がない情報提供 \(alarm.caseID)"
            lines = [
                "情報提供 \(alarm.caseID) は \(opened) に受け付けてから、対応の結果が記録されていません。",
                "結果が記録されるまで、この情報提供の個人情報（対象の方と情報提供者）はシステムに残ります。",
                "",
                "対処: 届け先の窓口に対応の状況を確認し、結果を次のコマンドで記録してください（情報提供者に結果が届きます）:",
                "　mimamori concern resolve \(alarm.caseID) --result \"…\"",
                "この通知は情報提供ごとに一度だけ送られます。状況: mimamori report \(alarm.caseID)",
            ]
        case .openCase:
            subject = "【確認】\(drill)終了の連絡がない事案 \(alarm.caseID)"
            lines = [
                "事案 \(alarm.caseID) は \(opened) に受け付けてから、終了（発見・取り下げ）の連絡がありません。",
                "終了の連絡があるまで、この事案の個人情報はシステムに残ります。",
                "",
                "対処: 警察側に捜索の状況を確認し、終了していれば終了（closed）の送信を依頼してください。",
                "この通知は事案ごとに一度だけ送られます。状況: mimamori status \(alarm.caseID)",
            ]
        case .heldStale:
            subject = "【要確認】\(drill)古い発見協力依頼を保留しました \(alarm.caseID)"
            lines = [
                "事案 \(alarm.caseID) の発見協力依頼（opened）は、発行から時間が経ちすぎているため、協力者に送らず保留しています。",
                "受信 \(opened)",
                "",
                "過去の依頼の再送（台帳の復元後など）であれば、何もしないでください。",
                "障害などで遅れて届いた本物の依頼であれば、警察側に確認のうえ、次のコマンドで送信してください:",
                "　sudo -u mimamori mimamori release \(alarm.caseID)",
                "保留中に終了（closed）が届いた場合、協力者には何も送られません。",
            ]
        }
        return (subject, mail.body(lines) + "\n")
    }
}

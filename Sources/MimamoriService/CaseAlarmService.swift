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
        /// The contracted facilities, which the shelter alarms name (and give the phone of).
        public var facilities: [Configuration.Shelter.Facility]
        public init(configuration: Configuration) {
            staff = configuration.staffAlarmRecipients
            self.operator = configuration.operator.alarmEmail
            facilities = configuration.shelter?.facilities ?? []
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
                let (subject, body) = Self.message(for: alarm, in: mail, facilities: recipients.facilities)
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
    static func message(
        for alarm: CaseAlarm, in mail: AlarmMail, facilities: [Configuration.Shelter.Facility] = []
    ) -> (subject: String, body: String) {
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
        case .shelterHeld:
            (subject, lines) = shelterHeldMessage(alarm, drill: drill, facilities: facilities)
        case .shelterEnds:
            (subject, lines) = shelterEndsMessage(alarm, drill: drill, facilities: facilities)
        }
        return (subject, mail.body(lines) + "\n")
    }

    /// The facility as the staff's mails name it: its name and phone (to call it at once), or its
    /// id when the settings no longer have it.
    static func facilityNamed(_ id: String, in facilities: [Configuration.Shelter.Facility]) -> String {
        facilities.first { $0.id == id }.map { "\($0.name)（電話 \($0.phone)）" } ?? "施設「\(id)」"
    }

    /// 緊急一時保護依頼書 held: why, and the one command that sends it. The facility's phone, so
    /// the staff can tell it at once (取り扱い第3条第2項ただし書: in haste the facility may start
    /// at the police's request). Ids, the facility and dates only.
    static func shelterHeldMessage(
        _ alarm: CaseAlarm, drill: String, facilities: [Configuration.Shelter.Facility]
    ) -> (subject: String, lines: [String]) {
        let id = alarm.caseID
        let subject = "【要対応】\(drill)緊急一時保護依頼書を送らずに保留しています \(id)"
        guard let stay = alarm.stay else {
            return (subject, ["事案 \(id) の緊急一時保護依頼書を保留しています。状況: mimamori shelter list"])
        }
        let place = facilityNamed(stay.facilityID, in: facilities)
        var lines = [
            "事案 \(id) の終了（発見）の連絡で、\(place)での緊急一時保護（\(JapaneseDateFormat.date(stay.startsOn))から \(stay.days) 日間）が依頼されましたが、依頼書を施設へ送らずに保留しています。",
            "協力者への終了の連絡と書類の処分のお願いは、通常どおり送っています。",
            "",
        ]
        switch stay.holdReason {
        case .needsApproval?:
            lines += [
                "理由: 2日を超える利用には、町長の承認が必要です（緊急一時保護の取り扱い第5条）。",
                "対処: 承認を得たら、次のコマンドで依頼書を送ってください:",
                "　sudo -u mimamori mimamori shelter send \(id) --approved-by 承認者の氏名",
            ]
        case .unknownFacility?:
            lines += [
                "理由: 施設「\(stay.facilityID)」は、設定（mimamori.yaml の shelter.facilities）にありません。",
                "設定にある施設: \(facilities.isEmpty ? "なし" : facilities.map { "\($0.id)（\($0.name)）" }.joined(separator: "、"))",
                "対処: 警察側に施設を確認し、次のコマンドで依頼書を送ってください:",
                "　sudo -u mimamori mimamori shelter send \(id) --facility 施設ID"
                    + (ShelterStay.needsApproval(days: stay.days) && stay.approvedBy == nil ? " --approved-by 承認者の氏名" : ""),
            ]
        case .notConfigured?, nil:
            lines += [
                "理由: mimamori.yaml に協定施設の設定（shelter:）がありません。",
                "対処: 施設を shelter: に設定して mimamorid を再読み込みし（sudo systemctl reload mimamorid）、次のコマンドで依頼書を送ってください:",
                "　sudo -u mimamori mimamori shelter send \(id)"
                    + (ShelterStay.needsApproval(days: stay.days) && stay.approvedBy == nil ? " --approved-by 承認者の氏名" : ""),
            ]
        }
        lines += [
            "",
            "急を要するときは、施設へ電話で受け入れを依頼してください（取り扱い第3条第2項ただし書）。依頼書はそのあとで送れます。",
            "状況: mimamori shelter list",
        ]
        return (subject, lines)
    }

    /// The morning of a stay's last day: end it when the family has collected the person, or
    /// extend it (7 days in all, approved).
    static func shelterEndsMessage(
        _ alarm: CaseAlarm, drill: String, facilities: [Configuration.Shelter.Facility]
    ) -> (subject: String, lines: [String]) {
        let id = alarm.caseID
        let subject = "【確認】\(drill)緊急一時保護の利用期間は本日までです \(id)"
        guard let stay = alarm.stay else {
            return (subject, ["事案 \(id) の緊急一時保護の利用期間は本日までです。状況: mimamori shelter list"])
        }
        let place = facilityNamed(stay.facilityID, in: facilities)
        let left = ShelterStay.maximumDays - stay.days
        return (
            subject,
            [
                "事案 \(id) の\(place)での緊急一時保護は、\(JapaneseDateFormat.date(stay.startsOn))から \(stay.days) 日間で、本日 \(JapaneseDateFormat.date(stay.endsOn)) が利用期間の最終日です。",
                "",
                "ご家族のお迎えなどで利用が終わったら、次のコマンドで記録してください（施設へ依頼書の処分のお願いを送ります）:",
                "　sudo -u mimamori mimamori shelter end \(id)",
                left > 0
                    ? "延長が必要なときは（合計 \(ShelterStay.maximumDays) 日まで、あと \(left) 日。町長の承認が必要です）:\n　sudo -u mimamori mimamori shelter extend \(id) --days 延長する日数 --approved-by 承認者の氏名"
                    : "利用期間は上限の \(ShelterStay.maximumDays) 日に達しています（緊急一時保護の取り扱い第5条）。これ以上は延長できません。",
            ]
        )
    }
}

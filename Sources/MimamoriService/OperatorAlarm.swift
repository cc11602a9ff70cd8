import Foundation
import Ledger
import MimamoriCore

/// Where deliveries that need a person go: the daemon sends them to the operator's alarm address.
///
/// The ledger is the outbox: a failed or expired delivery owes an alarm until `raise` returns
/// true, so an alarm survives a crash after the final state committed and an alarm mail the
/// relay refused (the dispatcher raises what is owed at start and every `alarmRetryInterval`).
public protocol OperatorAlarm: Sendable {
    /// True once the alarm is handed over (and may be forgotten); false to be raised again later.
    func raise(_ alarm: DeliveryAlarm) async -> Bool
    /// A channel paused because its server refuses or cannot be reached. Kept in memory by the
    /// dispatcher until this returns true (retried when the channel resumes and every
    /// `alarmRetryInterval`): the relay that paused the email channel refuses its alarm too.
    func raise(_ alarm: ChannelAlarm) async -> Bool
}

extension OperatorAlarm {
    /// Without a way to tell a person, the dispatcher's `channel.paused` line is the alarm.
    public func raise(_ alarm: ChannelAlarm) async -> Bool { true }
}

/// A channel that paused: which one, since when, the server's answer and what to check. Ids and
/// codes only.
public struct ChannelAlarm: Sendable, Hashable {
    public var channel: Channel
    /// `unreachable`, `smtp-530`, `http-401`, …
    public var code: String
    /// The SMTP step that was refused (`mail-from`, `auth`, …), when known.
    public var stage: String?
    public var operatorHint: String
    public var pausedAt: Date

    public init(channel: Channel, code: String, stage: String?, operatorHint: String, pausedAt: Date) {
        self.channel = channel
        self.code = code
        self.stage = stage
        self.operatorHint = operatorHint
        self.pausedAt = pausedAt
    }
}

/// A delivery that will not be made without a person's help. Ids and codes only.
public struct DeliveryAlarm: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// A permanent failure: a bad address or a refusal. Fix the directory or the settings.
        case permanentFailure = "permanent-failure"
        /// Still failing at its deadline: the recipient has not been reached.
        case expired
        /// The server refused the notice's message itself (SMTP 552/554 at the end of DATA): every
        /// delivery of the notice on the channel failed with this one, under this one alarm.
        case noticeRefused = "notice-refused"
    }

    public var reason: Reason
    public var caseID: CaseID
    public var deliveryID: DeliveryID
    public var recipient: RecipientID
    public var channel: Channel
    public var kind: NoticeKind
    public var attempts: Int
    public var errorCode: String?
    public var operatorHint: String
    public var at: Date
    /// How many times staff resent the delivery: a failure after a resend is a new alarm.
    public var resends = 0
}

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
}

/// A delivery that will not be made without a person's help. Ids and codes only.
public struct DeliveryAlarm: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// A permanent failure: a bad address or a refusal. Fix the directory or the settings.
        case permanentFailure = "permanent-failure"
        /// Still failing at its deadline: the recipient has not been reached.
        case expired
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

import Foundation
import Ledger
import MimamoriCore

/// Where deliveries that need a person go: the daemon sends them to the operator's alarm address.
public protocol OperatorAlarm: Sendable {
    func raise(_ alarm: DeliveryAlarm) async
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
}

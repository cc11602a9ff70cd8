import Foundation
import MimamoriCore

/// A delivery claimed for sending: everything an outlet needs.
public struct DeliveryJob: Sendable, Identifiable {
    public var id: DeliveryID
    public var caseID: CaseID
    public var revision: Int
    public var recipient: RecipientID
    public var channel: Channel
    public var kind: NoticeKind
    /// Personal data: never log it.
    public var address: String
    public var idempotencyKey: String
    /// 1 for the first try.
    public var attempt: Int
    public var notBefore: Date
    public var deadline: Date
    public var drill: Bool
    /// The rendered notice; jobs of the same notice share one buffer.
    public var content: Data
}

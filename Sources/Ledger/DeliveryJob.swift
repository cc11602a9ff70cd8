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
    /// How many times staff planned it again after it failed or expired (`mimamori resend`).
    public var resends: Int
    /// Claims without an outcome, this one included: above 1, it came back from more than one
    /// crash, and the dispatcher sends it alone (`isSuspect`).
    public var claims: Int
    /// The code the notice's links, QR code and reply strip carry for this delivery; nil when
    /// the kind asks for none or `confirm:` is off.
    public var confirmation: ConfirmationCode?
    /// How many times its FAX number was found engaged or unanswered and dialled again.
    public var lineTries: Int

    /// Claimed while the daemon died more than once: sent with no other claim beside it, so a
    /// delivery that kills the daemon is the only one whose count keeps rising.
    public var isSuspect: Bool { claims > 1 }

    public init(
        id: DeliveryID, caseID: CaseID, revision: Int, recipient: RecipientID, channel: Channel, kind: NoticeKind,
        address: String, idempotencyKey: String, attempt: Int, notBefore: Date, deadline: Date, drill: Bool,
        content: Data, resends: Int = 0, claims: Int = 1, confirmation: ConfirmationCode? = nil, lineTries: Int = 0
    ) {
        self.id = id
        self.caseID = caseID
        self.revision = revision
        self.recipient = recipient
        self.channel = channel
        self.kind = kind
        self.address = address
        self.idempotencyKey = idempotencyKey
        self.attempt = attempt
        self.notBefore = notBefore
        self.deadline = deadline
        self.drill = drill
        self.content = content
        self.resends = resends
        self.claims = claims
        self.confirmation = confirmation
        self.lineTries = lineTries
    }
}

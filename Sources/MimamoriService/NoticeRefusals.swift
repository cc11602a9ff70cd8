import Ledger
import MimamoriCore
import Synchronization

/// The notices whose message a channel's server refused for good (SMTP 552/554 at the end of
/// DATA): the same bytes, with other recipients' headers, would be refused again. The first
/// refusal fails the notice's planned deliveries in the ledger under one alarm; deliveries of it
/// already claimed or in flight then end here, failed with the same reason and no alarm of their
/// own, instead of one alarm per recipient.
final class NoticeRefusals: Sendable {
    struct Notice: Hashable {
        var caseID: CaseID
        var revision: Int
        var kind: NoticeKind

        init(_ job: DeliveryJob) {
            caseID = job.caseID
            revision = job.revision
            kind = job.kind
        }
    }

    /// Kept bounded: a notice refused long ago has no deliveries left in hand.
    static let limit = 256
    private let refused = Mutex<[Notice: DeliveryFailure]>([:])

    /// The refusal of `job`'s notice, if its message was refused already.
    func refusal(of job: DeliveryJob) -> DeliveryFailure? {
        refused.withLock { $0[Notice(job)] }
    }

    /// Records the refusal; true when it is the notice's first (the one that raises the alarm).
    func refuse(_ job: DeliveryJob, _ failure: DeliveryFailure) -> Bool {
        refused.withLock { refused in
            let notice = Notice(job)
            guard refused[notice] == nil else { return false }
            if refused.count >= Self.limit { refused.removeAll(keepingCapacity: true) }
            refused[notice] = failure
            return true
        }
    }
}

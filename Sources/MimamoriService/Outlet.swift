import Ledger
import MimamoriCore

/// Something that carries notices over one channel: the email, fax and radio outlets, or a
/// recording outlet in tests. The dispatcher runs up to `concurrency` `deliver` calls at once.
public protocol Outlet: Sendable {
    var channel: Channel { get }
    /// How many deliveries may be in flight at once on this outlet.
    var concurrency: Int { get }
    /// Sends one notice. Returns once the far side accepted it (SMTP 250, fax API 2xx, radio ack).
    /// Use `job.idempotencyKey` so a send repeated after a crash is recognised by the far side.
    func deliver(_ job: DeliveryJob) async throws(DeliveryFailure)
}

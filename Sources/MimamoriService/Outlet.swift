import Foundation
import Ledger
import MimamoriCore
import Outlets

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

/// One channel as a plug-in: the only place that reads its section of the settings (`email:`,
/// `fax:`, `radio:`), turns a stored notice into what the channel sends (a MIME message, a FAX
/// PDF, CAP with the script) and writes that to files for `mimamori render`. The daemon builds
/// the channels of `DaemonOutlets.channels`; a new channel is one adapter and one line there.
public protocol ChannelAdapter: Outlet {
    /// The channel this adapter carries (an instance's `channel` is this one).
    static var channel: Channel { get }
    /// The channel built from its settings section; nil when the settings leave it out.
    static func make(_ context: ChannelContext) throws(OutletError) -> Self?
    /// What the channel would send for `delivery` carrying `notice`, as files named after the
    /// notice's kind, nothing sent: the same code as `deliver`, with a sample recipient.
    static func render(_ notice: RenderedNotice, delivery: PlannedDelivery, configuration: Configuration) throws(OutletError)
        -> [RenderedFile]
    /// Finishes what is in flight and closes the channel's connections.
    func shutdown() async
}

/// What a channel is built from: the settings, the secrets, the ledger, and the SMTP outlet the
/// daemon's mail goes through (the FAX email gateway and the operator's alarms use it too).
public struct ChannelContext: Sendable {
    public let configuration: Configuration
    public let mail: EmailOutlet
    public let faxToken: Credential?
    public let ledger: any DeliveryQueue

    public init(configuration: Configuration, mail: EmailOutlet, faxToken: Credential?, ledger: any DeliveryQueue) {
        self.configuration = configuration
        self.mail = mail
        self.faxToken = faxToken
        self.ledger = ledger
    }
}

/// One file `mimamori render` writes.
public struct RenderedFile: Sendable {
    public var name: String
    public var bytes: Data

    public init(name: String, bytes: Data) {
        self.name = name
        self.bytes = bytes
    }
}

import Foundation
import Timing

/// What a radio announcement is to the receivers of its CAP (the radio gateway and the public
/// alert aggregators that read it), and until when it stands.
public struct RadioAnnouncement: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// CAP `Alert`: the search begins.
        case alert
        /// CAP `Update`: changed details; the earlier messages stand no longer.
        case update
        /// CAP `Update` with `responseType` `AllClear`: the search has ended.
        case allClear
    }

    public var kind: Kind
    /// CAP `expires`: the receivers drop the message after this instant.
    public var expires: Date

    /// How long an all-clear stays up: long enough for an aggregator polling its feed to show
    /// that the search has ended, short enough not to linger once it has.
    public static let allClearValidity: Duration = .seconds(3600)

    public init(kind: Kind, expires: Date) {
        self.kind = kind
        self.expires = expires
    }
}

/// The end of a search is an all-clear `Update` that expires soon, never a `Cancel`: public
/// alert aggregators (Google Public Alerts, "Event changes or expiration") prefer, in this
/// order, an `expires` on every message, then an all-clear update, and keep `Cancel` for a
/// message sent in error, which the daemon never sends. An alert or update stands for
/// `validity` (`radio.cap-expires`) from the instant it is sent, so each update renews it.
/// The radio is never sent a destruction reminder, a concern's or a shelter's notice; were it, it would
/// close the case as well.
public func radioAnnouncement(_ kind: NoticeKind, sent: Date, validity: Duration) -> RadioAnnouncement {
    switch kind {
    case .alert:
        RadioAnnouncement(kind: .alert, expires: sent.addingTimeInterval(validity.inSeconds))
    case .update:
        RadioAnnouncement(kind: .update, expires: sent.addingTimeInterval(validity.inSeconds))
    case .termination, .destructionReminder, .destructionSecondReminder, .concernReport, .concernResult, .shelterRequest,
        .shelterDestruction:
        RadioAnnouncement(
            kind: .allClear, expires: sent.addingTimeInterval(min(validity, RadioAnnouncement.allClearValidity).inSeconds))
    }
}

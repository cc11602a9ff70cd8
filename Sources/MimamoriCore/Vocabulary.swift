import Foundation

/// The police side's case reference, `[A-Za-z0-9-]{1,64}`, stable for the whole case.
/// Safe to log: it names a case, not a person.
public struct CaseID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Whether the text has the shape design 3.1 allows for a case id.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
            }
    }
}

/// A cooperator's id from `cooperators.csv` (or `radio` for the town's broadcast system).
/// Safe to log: the directory maps it to a person only on the municipal server.
public struct RecipientID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The town's disaster radio (防災行政無線) as a recipient of its own.
    public static let radio = RecipientID("radio")
}

/// The three outlets of the seeds.
public enum Channel: String, Hashable, Sendable, Codable, CaseIterable {
    case fax
    case email
    case radio
}

/// What a notice is for, in the order a case produces them.
public enum NoticeKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// 発見支援の要請: the first notice with the person's description.
    case alert
    /// A follow-up with changed details.
    case update
    /// 発見支援終結の連絡 (Article 11): the search support has ended; never the outcome.
    case termination
    /// 書類の裁断・削除のお願い (Article 11-3): names the case reference and date, no personal data.
    case destructionReminder = "destruction-reminder"
    /// 書類の処分の再度のお願い (Article 11-3): once, to those who have not confirmed destruction
    /// `reminders.second-after` business days after the reminder; the case reference and dates only.
    case destructionSecondReminder = "destruction-second-reminder"
    /// A concern report to the desk that acts on it (みまさかほっとネット): the subject's and the
    /// reporter's details.
    case concernReport = "concern-report"
    /// The desk's result to the reporter: the report reference and the result text.
    case concernResult = "concern-result"
    /// 緊急一時保護依頼書 (第1号様式) to the care facility by FAX, and its copy to the staff by
    /// email: what the facility needs to look after the person.
    case shelterRequest = "shelter-request"
    /// The facility's own reminder, once the stay has ended, to destroy the request: the case
    /// reference and dates only.
    case shelterDestruction = "shelter-destruction"

    /// Whether notices of this kind carry a missing person's data to cooperators (and so oblige
    /// them to destroy it: the termination and the destruction reminder follow). A concern's
    /// notices hold personal data too, but go to the desk and the reporter, who are not told to
    /// destroy a case's papers. The shelter request holds personal data as well, but the
    /// facility is not a cooperator: it is never counted as a holder of the alert, gets no
    /// termination and no case destruction reminder, only its own `shelterDestruction`.
    public var carriesPersonalData: Bool {
        switch self {
        case .alert, .update: true
        case .termination, .destructionReminder, .destructionSecondReminder, .concernReport, .concernResult, .shelterRequest,
            .shelterDestruction:
            false
        }
    }

    /// Whether the radio can broadcast notices of this kind (they have a radio script).
    public var isBroadcast: Bool {
        switch self {
        case .alert, .update, .termination: true
        case .destructionReminder, .destructionSecondReminder, .concernReport, .concernResult, .shelterRequest, .shelterDestruction: false
        }
    }

    /// Notices of a concern report rather than of a missing person's case.
    public var isConcern: Bool {
        switch self {
        case .concernReport, .concernResult: true
        case .alert, .update, .termination, .destructionReminder, .destructionSecondReminder, .shelterRequest, .shelterDestruction: false
        }
    }

    /// Notices of an emergency temporary stay (緊急一時保護) to its facility and the staff.
    public var isShelter: Bool {
        switch self {
        case .shelterRequest, .shelterDestruction: true
        case .alert, .update, .termination, .destructionReminder, .destructionSecondReminder, .concernReport, .concernResult: false
        }
    }
}

/// One notice to one recipient over one channel, as the planner decides it and the ledger keeps it.
public struct PlannedDelivery: Hashable, Sendable, Codable {
    public var caseID: CaseID
    /// The event sequence number this delivery stems from.
    public var revision: Int
    public var recipient: RecipientID
    public var channel: Channel
    public var kind: NoticeKind
    /// Not to be sent before this instant (quiet hours, next business morning).
    public var notBefore: Date
    /// Stable across retries and restarts: the email Message-ID, the fax API idempotency key,
    /// the CAP identifier.
    public var idempotencyKey: String

    public init(
        caseID: CaseID, revision: Int, recipient: RecipientID, channel: Channel, kind: NoticeKind,
        notBefore: Date, idempotencyKey: String? = nil
    ) {
        self.caseID = caseID
        self.revision = revision
        self.recipient = recipient
        self.channel = channel
        self.kind = kind
        self.notBefore = notBefore
        self.idempotencyKey =
            idempotencyKey ?? "\(caseID.rawValue).\(revision).\(kind.rawValue).\(channel.rawValue).\(recipient.rawValue)"
    }
}

import Logging

/// The only metadata keys the daemon logs with: ids, counts, codes. Never a name, description,
/// address or phone number: such a value has no key here, so it has no way into the journal.
public enum LogKey: String, Sendable {
    case `case`
    case seq
    /// A registration's id (台帳番号): names a row of the registry, never a person.
    case registration
    case dueSoon = "due_soon"
    case overdue
    case msg
    case recipient
    case channel
    case kind
    case delivery
    /// A FAX service's job id (HylaFAX, the HTTP API): theirs, no personal data.
    case job
    case attempt
    case ms
    case us
    case count
    case cancelled
    case reason
    case code
    case state
    case fax
    case email
    case radio
    case file
    case listen
    case version
    case delayMs = "delay_ms"
    case retriable
    case files
    case line
    case active
    case asked
    case skippedInactive = "skipped_inactive"
    case skippedArea = "skipped_area"
    case skippedConsent = "skipped_consent"
    case unknownArea = "unknown_area"
    case key
    case credentials
    case restartNeeded = "restart_needed"
    /// The protocol step a server refused (`mail-from`, `auth`, `end-of-data`).
    case stage
    case to
    /// Messages per second a channel sends at.
    case rate
    /// A concern report's id (its ledger row is keyed like a case's).
    case report
    /// Desk ids, comma-separated.
    case desks
    case rule
    case callback
    /// How many of a registration's frequented places a notice carries.
    case places
    /// How many fields of the description a registration filled.
    case filled
    /// Whether a notice carries a photo: `yes`/`no`.
    case photo
    /// A shelter facility's id (`shelter.facilities`).
    case facility
    /// A stay's days (緊急一時保護).
    case days
    /// How many staff addresses a copy went to.
    case staff
    /// Deliveries a pass planned (the second destruction reminder).
    case planned
    /// Recipients left out because they confirmed (the second destruction reminder).
    case confirmed
    /// What a cooperator confirmed: received, destroyed.
    case confirmation
    /// How a confirmation came: link (the endpoint), staff (`mimamori confirm`).
    case via
    /// Deliveries one confirmation marked (a 処分しました covers the recipient's whole case).
    case covered
    /// A partner town's municipality id (seed 004: the network shared with consent).
    case partner
    /// The daemon that holds, or asks for, the active lease of a shared ledger (`host/pid/tag`).
    case owner
    /// Where the ledger is: the file, or PostgreSQL's host, port and database.
    case ledger
    /// Directory rows a partner town's own daemon tells (`partners: own-daemon`), not this one.
    case partnerDaemon = "partner_daemon"
}

extension Logger.Metadata {
    /// Builds metadata from `LogKey`s only.
    public static func keys(_ pairs: KeyValuePairs<LogKey, Logger.MetadataValue>) -> Logger.Metadata {
        var metadata = Logger.Metadata()
        for (key, value) in pairs { metadata[key.rawValue] = value }
        return metadata
    }

    /// The same, for keys gathered as they apply.
    public static func keys(_ pairs: [LogKey: Logger.MetadataValue]) -> Logger.Metadata {
        var metadata = Logger.Metadata()
        for (key, value) in pairs { metadata[key.rawValue] = value }
        return metadata
    }
}

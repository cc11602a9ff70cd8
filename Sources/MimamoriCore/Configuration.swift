/// The settings of `mimamori.yaml` (design 3.3), validated. Built with `Configuration.parse(yaml:)`,
/// which reports every problem at once; the defaults are those of the design's example.
///
/// Secrets are not here: passwords and tokens come from credential files (design 3.3).
public struct Configuration: Sendable, Hashable {
    /// The queue to consume and the cooperators that apply (`kimino`).
    public var municipality: String
    /// An intentional extension of design 3.3: who signs the notices and the number to call.
    public var town: Town
    /// The town's area tree (`areas:`, design 5a and 6); its root is `town.name`.
    public var areas: AreaTree
    public var broker: Broker
    public var ledger: Ledger
    /// Path of `cooperators.csv`.
    public var cooperators: String
    /// Folder of template overrides; nil: built-in templates only.
    public var templates: String?
    public var publishers: Publishers
    public var email: Email
    public var fax: Fax
    /// Nil: the town has no radio gateway configured, so no radio deliveries are planned.
    public var radio: Radio?
    public var retry: Retry
    public var reminders: Reminders
    /// How long personal data stays in the ledger after closure (at least a day).
    public var retention: Duration
    /// How long a case may stay open before the staff are asked whether it still is
    /// (`open-case-alarm:`): a case never closed would otherwise hold personal data forever.
    public var openCaseAlarm: Duration
    /// The town's health-and-welfare staff (design 5a), apart from the operator (IT).
    public var staff: Staff
    /// Concern reports (みまさかほっとネット); nil: the town takes none.
    public var concerns: Concerns?
    /// Families' advance registrations; nil: the registry is off.
    public var registry: Registry?
    /// The contracted facilities for emergency temporary care; nil: a closure's shelter request
    /// is held with a staff alarm.
    public var shelter: Shelter?
    /// `confirm:`: receipts and destruction confirmations; nil: notices carry no codes.
    public var confirm: Confirm?
    /// `partners:`: the towns of the same network, and whether each runs its own daemon; empty:
    /// no partner (another town's directory rows are still alerted with consent, as before).
    public var partners: [String: Partner] = [:]
    /// The partners' names as notices write them (`partners: { kimino: { kind: own-daemon,
    /// name: 紀美野町 } }`); a partner without one is named by its id.
    public var partnerNames: [String: String] = [:]
    public var `operator`: Operator
    public var metrics: Metrics

    /// The sender of every notice (`town:` in mimamori.yaml).
    public struct Town: Sendable, Hashable {
        /// 紀美野町
        public var name: String
        /// 保健福祉課 (第15条: the department in charge)
        public var department: String
        /// 紀美野町長; defaults to name + 長.
        public var head: String
        /// The department's phone, printed on notices for questions (not for sightings).
        public var phone: String
        /// The network's name as its members know it (紀美野にこにこネットワーク); nil: notices
        /// address "協力機関・協力者の皆さま" without a name.
        public var network: String?
        /// The regulation the notices cite for the duty to destroy documents and keep data to its
        /// purpose (紀美野にこにこネットワーク事業実施要綱: 第11条第3項, 第14条); nil: no citation.
        /// The article numbers are Kimino's; a town whose 要綱 numbers them differently overrides
        /// the templates.
        public var regulation: String?
        /// How the radio says the name, in kana (きみのちょう: a reader takes 紀美野町 for
        /// キミノマチ); nil: the written name is read as it is. The root's reading in `areas`.
        public var reading: String?

        public init(
            name: String, department: String, head: String? = nil, phone: String, network: String? = nil,
            regulation: String? = nil, reading: String? = nil
        ) {
            self.name = name
            self.department = department
            self.head = head ?? "\(name)長"
            self.phone = phone
            self.network = network
            self.regulation = regulation
            self.reading = reading
        }

        /// What the town is, as a notice says it (「市ではなく、警察へ」, 「町に届きます」): the last
        /// character of its name when that is 市, 町, 村 or 区, otherwise 役場.
        public var kind: String {
            guard let last = name.last, "市町村区".contains(last) else { return "役場" }
            return String(last)
        }
    }

    public struct Broker: Sendable, Hashable {
        public var url: String = "amqp://mimamori@127.0.0.1:5672/mimamori"
        /// The other nodes of the cluster (`broker.urls` after the first), tried in turn.
        public var otherURLs: [String] = []
        public var prefetch: Int = 64
        public var heartbeat: Duration = .seconds(30)
        public init() {}
    }

    public struct Ledger: Sendable, Hashable {
        public var path: String = "/var/lib/mimamori/ledger.sqlite"
        /// `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]`: the ledger on PostgreSQL instead
        /// of the SQLite file at `path` (an active and a standby daemon share it). The password
        /// is the `ledger-password` credential, never in the URL.
        public var url: String?
        public init() {}
    }

    public struct Publishers: Sendable, Hashable {
        public var requireSignature = true
        /// Folder of `<key-id>.pub` files (and `<key-id>.towns` limits).
        public var keys = "/etc/mimamori/publishers"
        /// An `opened` event issued longer ago than this, for a case the ledger does not know,
        /// is held for the staff instead of sent (a replay, or an alert stuck behind an outage).
        public var maxAge: Duration = .seconds(24 * 3600)
        public init() {}
    }

    public struct Email: Sendable, Hashable {
        public var smtp: String = "smtp://127.0.0.1:25"
        /// `紀美野町 保健福祉課 <sos@town.example.jp>`
        public var from: String
        public var sessions: Int = 8
        /// The most messages per second handed to the relay (`email.rate`), for relays that cap
        /// it; nil: unlimited. FAX and radio have their own loops and are not held up by it.
        public var rate: Double?
        public init(from: String) { self.from = from }
    }

    public struct Fax: Sendable, Hashable {
        public enum Method: String, Sendable, Hashable, CaseIterable {
            case emailGateway = "email-gateway"
            case httpAPI = "http-api"
            case hylafax
        }
        public var method: Method = .emailGateway
        /// For email-gateway: `{number}@fax.example.jp` ({number} is the national number, 0734899960).
        public var gateway: String?
        /// For http-api: the endpoint.
        public var url: String?
        /// For hylafax: the sendfax program and the server host.
        public var sendfax: String = "/usr/bin/sendfax"
        public var host: String?
        /// Waits before each redial of a number that was engaged or did not answer; spent, the
        /// FAX has failed (`FaxLineSpacing`).
        public var busyRetry: [Duration] = FaxLineSpacing.defaultRedials
        /// The least time between two FAXes to one number.
        public var numberGap: Duration = FaxLineSpacing.defaultGap
        public init() {}
    }

    public struct Radio: Sendable, Hashable {
        public var capURL: String?
        public var spool: String?
        public var ttsCommand: [String] = []
        public var quietHours: QuietHours = .none
        /// How long a CAP alert or update stands (its `expires` after `sent`), each update
        /// renewing it: a day, so a search left open without news drops off the aggregators'
        /// maps rather than showing for good.
        public var capExpires: Duration = .seconds(24 * 3600)
        public init() {}
    }

    public struct Retry: Sendable, Hashable {
        public var initial: Duration = .seconds(5)
        public var max: Duration = .seconds(600)
        public var deadline: Duration = .seconds(6 * 3600)
        public init() {}
    }

    public struct Reminders: Sendable, Hashable {
        public var destructionAt = TimeOfDay(hour: 9, minute: 0)
        public var businessDaysOnly = true
        /// Business days after the destruction reminder when those who have not confirmed
        /// destruction get a second, last one (with `confirm:` only: without codes nobody can
        /// confirm). 0: no second reminder.
        public var secondAfter = 3
        /// Whether the settings name `second-after` (a town that asks for it without `confirm:`
        /// is told it gets none).
        public var secondAfterGiven = false
        public init() {}
    }

    public struct Operator: Sendable, Hashable {
        public var alarmEmail: String?
        public init() {}
    }

    public struct Metrics: Sendable, Hashable {
        public var listen = "127.0.0.1:9464"
        /// `/metrics` and `/healthz` answer anyone who can reach the port: beyond loopback only
        /// when the operator says so (`metrics.allow-remote: true`).
        public var allowRemote = false
        public init() {}

        /// Whether `host` (of `listen`) is this machine only.
        public static func isLoopback(host: String) -> Bool {
            if host == "localhost" || host == "::1" || host == "[::1]" { return true }
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        }
    }

    public init(municipality: String, town: Town, email: Email) {
        self.municipality = municipality
        self.town = town
        self.areas = AreaTree(root: town.name)
        if let reading = town.reading { areas.setRootReading(reading) }
        self.broker = Broker()
        self.ledger = Ledger()
        self.cooperators = "/etc/mimamori/cooperators.csv"
        self.templates = nil
        self.publishers = Publishers()
        self.email = email
        self.fax = Fax()
        self.radio = nil
        self.retry = Retry()
        self.reminders = Reminders()
        self.retention = .seconds(30 * 86400)
        self.openCaseAlarm = .seconds(14 * 86400)
        self.staff = Staff()
        self.operator = Operator()
        self.metrics = Metrics()
    }
}

/// One problem in `mimamori.yaml`, with the key's path (`retry.max: must be ≥ retry.initial`).
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in `mimamori.yaml`; the daemon refuses to start (or keeps the old settings
/// on reload) and prints them all.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

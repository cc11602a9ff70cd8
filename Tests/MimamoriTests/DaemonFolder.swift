import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import TestFixtures

#if canImport(Glibc)
    import Glibc
#endif

/// A settings folder for one `mimamorid` in a fresh temporary directory, in the shape
/// `scripts/demo.sh` gives the daemon: `mimamori.yaml`, a generated `cooperators.csv`, the
/// police side's key pair (`keys/`, the public half in `publishers/`), `credentials/` with the
/// broker password, and the ledger. Each folder has its own municipality, so its queues never
/// meet another test's in the shared broker.
struct DaemonFolder {
    /// A cooperator row of the generated CSV.
    struct Cooperator: Sendable {
        var id: String
        var name: String
        var channel: String
        var address: String
    }

    struct Options {
        var emailSessions = 8
        var prefetch = 64
        var heartbeat = "30s"
        /// Where the daemon connects (default: the test broker); a proxy in front of it for
        /// the ack test.
        var brokerPort: Int? = nil
        var radioSpool = false
        var retention = "30d"
        /// `staff.email`; empty: no `staff:` section (staff alarms go to the operator).
        var staffEmails: [String] = []
        /// `publishers.max-age`; nil: the default (24h). The corpus' events carry fixed dates.
        var maxAge: String? = nil
        /// `retry.max` (`retry.initial` is 1s).
        var retryMax = "5s"
        /// FAX by `http-api` to this URL (with a `fax-token` credential) instead of the email
        /// gateway.
        var faxAPI: String? = nil
        /// `fax.number-gap`: a second apart, so a case's alert, update and termination to one
        /// institution do not keep a test waiting minutes (the spacing itself is tested apart).
        var faxNumberGap = "1s"
        /// Radio by CAP to this URL (instead of, or beside, the spool).
        var radioCAP: String? = nil
        /// The folder that holds the ledger (default: the settings folder), e.g. a small tmpfs.
        var ledgerDirectory: URL? = nil
        /// The municipality (default: `e2e-` and 8 random characters); it names the test's queues.
        var municipality: String? = nil
        /// `town.name`: the root of the area tree.
        var town = "見守町"
        /// The `areas:` mapping as YAML flow text (`{ 海南市: [日方, 黒江] }`); nil: no tree.
        var areas: String? = nil
        /// The SMTP login (`smtp://USER@host:port`) with this password in `credentials/smtp-password`.
        var smtpLogin: (user: String, password: String)? = nil
        /// `email.rate` (messages per second); nil: unlimited.
        var emailRate: String? = nil
        /// The `concerns:` section as YAML block text (indented two spaces); nil: none.
        var concerns: String? = nil
        /// The `registry:` section as YAML flow text (`{ remind-days: 30 }`); nil: no registry.
        /// With it the folder holds a `registry-key` credential (`registryKey`) and the key
        /// store sits beside the ledger.
        var registry: String? = nil
        /// The `shelter:` section as YAML block text (indented two spaces); nil: none.
        var shelter: String? = nil
        /// The `confirm:` section as YAML flow text (`{ reply-fax: 073-555-0999 }`); nil: none.
        /// With it the endpoint listens on `confirmPort` (public-url `http://127.0.0.1:PORT`
        /// unless the text gives one) and the folder holds a `confirm-key` credential.
        var confirm: String? = nil
        /// `broker.urls` instead of `broker.url`: the same URL at each of these ports (the nodes
        /// of a cluster), tried in turn.
        var clusterPorts: [Int]? = nil
        /// The `partners:` section as YAML flow text (`{ kainan: own-daemon }`); nil: none.
        var partners: String? = nil
        /// The ledger on PostgreSQL (`ledger: { url: … }`, without the password, which goes to
        /// the `ledger-password` credential) instead of the SQLite file; nil: SQLite.
        var postgres: (url: String, password: String)? = nil

        /// The ledger on `database` of the test server, its password as the credential.
        mutating func useLedger(on database: PostgresServer.Database) throws {
            guard var url = URLComponents(string: database.url), let password = url.password else {
                throw FixtureError("the test server's URL \(database.url) has no password")
            }
            url.password = nil
            guard let text = url.string else { throw FixtureError("cannot write \(database.url) without its password") }
            postgres = (url: text, password: password)
        }
        /// The `reminders:` section as YAML flow text; the demo's morning reminder unless set.
        var reminders = "{ destruction-at: \"09:00\", business-days-only: true }"
    }

    let directory: URL
    let municipality: String
    let brokerURL: String
    let smtpURL: String
    let keyID = "police-e2e"
    let signer: EventSigner
    let options: Options
    /// Where the daemon serves `/metrics` and `/healthz` (127.0.0.1).
    let metricsPort: Int
    /// Where the confirmation endpoint listens with `confirm:` (127.0.0.1).
    let confirmPort: Int

    var settingsPath: String { directory.appendingPathComponent("mimamori.yaml").path }
    var cooperatorsPath: String { directory.appendingPathComponent("cooperators.csv").path }
    var ledgerPath: String { (options.ledgerDirectory ?? directory).appendingPathComponent("ledger.sqlite").path }
    var credentialsDirectory: URL { directory.appendingPathComponent("credentials") }
    var registryKeyPath: String { credentialsDirectory.appendingPathComponent("registry-key").path }
    var confirmKeyPath: String { credentialsDirectory.appendingPathComponent("confirm-key").path }
    /// The test's `confirm-key` credential.
    static let confirmKey = Data(repeating: 0x43, count: 32).base64EncodedString()
    var registryKeysPath: String { (options.ledgerDirectory ?? directory).appendingPathComponent("registry-keys.sqlite").path }
    /// The test's `registry-key` credential (a fixed one: tests are not secret).
    static let registryKey = Data(repeating: 0x4B, count: 32).base64EncodedString()
    var radioDirectory: URL { directory.appendingPathComponent("radio") }
    var casesQueue: String { "mimamori.\(municipality).cases" }
    var deadQueue: String { "mimamori.\(municipality).dead" }
    var concernsQueue: String { "mimamori.\(municipality).concerns" }

    init(broker: Broker, smtp: SMTPServer, options: Options = Options()) throws {
        self.options = options
        metricsPort = try LoopbackPort.free()
        confirmPort = try LoopbackPort.free()
        municipality = options.municipality ?? "e2e-\(UUID().uuidString.prefix(8).lowercased())"
        directory = try ServerProcess.temporaryDirectory("e2e")
        if let login = options.smtpLogin {
            smtpURL = smtp.url.replacingOccurrences(of: "smtp://", with: "smtp://\(login.user)@")
        } else {
            smtpURL = smtp.url
        }
        // The broker URL without its password: the daemon reads that from credentials/.
        guard var components = URLComponents(string: broker.url), let password = components.password else {
            throw FixtureError("MIMAMORI_TEST_AMQP_URL has no password: \(broker.url)")
        }
        components.password = nil
        if let port = options.brokerPort { components.port = port }
        brokerURL = components.string!
        let pair = EventSigner.generate(name: keyID)
        signer = try EventSigner(keyID: keyID, privateKeyFileContents: pair.privateKey)
        let fm = FileManager.default
        for folder in ["publishers", "keys", "credentials", "templates", "radio"] {
            try fm.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try pair.publicKey.write(to: directory.appendingPathComponent("publishers/\(keyID).pub"), atomically: true, encoding: .utf8)
        try pair.privateKey.write(to: directory.appendingPathComponent("keys/\(keyID).key"), atomically: true, encoding: .utf8)
        try "\(password.removingPercentEncoding ?? password)\n".write(
            to: credentialsDirectory.appendingPathComponent("broker-password"), atomically: true, encoding: .utf8)
        if let login = options.smtpLogin {
            try "\(login.password)\n".write(
                to: credentialsDirectory.appendingPathComponent("smtp-password"), atomically: true, encoding: .utf8)
        }
        try "e2e-fax-token\n".write(
            to: credentialsDirectory.appendingPathComponent("fax-token"), atomically: true, encoding: .utf8)
        if let postgres = options.postgres {
            try "\(postgres.password)\n".write(
                to: credentialsDirectory.appendingPathComponent("ledger-password"), atomically: true, encoding: .utf8)
        }
        if options.registry != nil {
            try "\(Self.registryKey)\n".write(toFile: registryKeyPath, atomically: true, encoding: .utf8)
        }
        if options.confirm != nil {
            try "\(Self.confirmKey)\n".write(toFile: confirmKeyPath, atomically: true, encoding: .utf8)
        }
        try writeSettings()
    }

    /// `mimamori.yaml` in the demo's shape, with short retry intervals and a free metrics port.
    func writeSettings() throws {
        let dir = directory.path
        var yaml = """
            # e2e settings: the demo's shape, pointed at this test's servers.
            municipality: \(municipality)
            town: { name: \(options.town), department: 福祉課, phone: 073-555-0000, network: 見守りネットワーク }
            \(options.areas.map { "areas: \($0)" } ?? "")
            broker: { \(brokerSetting), prefetch: \(options.prefetch), heartbeat: \(options.heartbeat) }
            ledger: { \(options.postgres.map { "url: \"\($0.url)\"" } ?? "path: \"\(ledgerPath)\"") }
            cooperators: "\(cooperatorsPath)"
            templates: "\(dir)/templates"
            publishers: { require-signature: true, keys: "\(dir)/publishers"\(options.maxAge.map { ", max-age: \($0)" } ?? "") }
            email: { smtp: "\(smtpURL)", from: "見守町 福祉課 <sos@town.example.jp>", sessions: \(options.emailSessions)\(options.emailRate.map { ", rate: \($0)" } ?? "") }
            fax: \(options.faxAPI.map { "{ method: http-api, url: \"\($0)\", " } ?? "{ method: email-gateway, gateway: \"{number}@fax.example.jp\", ")number-gap: \(options.faxNumberGap) }
            retry: { initial: 1s, max: \(options.retryMax), deadline: 6h }
            reminders: \(options.reminders)
            retention: \(options.retention)
            \(options.staffEmails.isEmpty ? "" : "staff: { email: [\(options.staffEmails.joined(separator: ", "))] }")
            operator: { alarm-email: "ops@town.example.jp" }
            metrics: { listen: "127.0.0.1:\(metricsPort)" }

            """
        if let concerns = options.concerns { yaml += "concerns:\n" + concerns + "\n" }
        if let partners = options.partners { yaml += "partners: \(partners)\n" }
        if let registry = options.registry {
            // The key store path is given so that it sits with this test's ledger.
            let inner = registry.trimmingCharacters(in: .whitespaces).dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            yaml += "registry: { keys: \"\(registryKeysPath)\"\(inner.isEmpty ? "" : ", " + inner) }\n"
        }
        if let shelter = options.shelter { yaml += "shelter:\n" + shelter + "\n" }
        if let confirm = options.confirm {
            let inner = confirm.trimmingCharacters(in: .whitespaces).dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            var fields = inner.contains("listen") ? [] : ["listen: \"127.0.0.1:\(confirmPort)\""]
            if !inner.contains("public-url") { fields.append("public-url: \"http://127.0.0.1:\(confirmPort)\"") }
            if !inner.isEmpty { fields.append(inner) }
            yaml += "confirm: { \(fields.joined(separator: ", ")) }\n"
        }
        if options.radioSpool || options.radioCAP != nil {
            let spool = options.radioSpool ? "spool: \"\(radioDirectory.path)\", " : ""
            let cap = options.radioCAP.map { "cap-url: \"\($0)\", " } ?? ""
            yaml += """
                radio: { \(spool)\(cap)quiet-hours: { from: "21:00", to: "07:00", policy: broadcast } }

                """
        }
        try yaml.write(toFile: settingsPath, atomically: true, encoding: .utf8)
    }

    /// `url: "…"`, or `urls: […]` on a cluster.
    var brokerSetting: String {
        guard let ports = options.clusterPorts, var components = URLComponents(string: brokerURL) else { return "url: \"\(brokerURL)\"" }
        let urls = ports.map { port -> String in
            components.port = port
            return "\"\(components.string!)\""
        }
        return "urls: [\(urls.joined(separator: ", "))]"
    }

    /// `email` volunteers (`<prefix>v0001@volunteers.example.jp`) and `fax` institutions
    /// (`073-555-NNNN`), all active, no areas (so every case reaches them).
    static func cooperators(email: Int, fax: Int, prefix: String = "") -> [Cooperator] {
        var rows: [Cooperator] = []
        for i in stride(from: 1, through: fax, by: 1) {
            rows.append(
                Cooperator(
                    id: "\(prefix)fax-\(String(format: "%03d", i))", name: "架空協力機関\(prefix)第\(i)号", channel: "fax",
                    address: "073-555-\(String(format: "%04d", 2000 + i))"))
        }
        for i in stride(from: 1, through: email, by: 1) {
            let number = String(format: "%04d", i)
            rows.append(
                Cooperator(
                    id: "\(prefix)vol-\(number)", name: "見守協力者\(prefix)\(number)号", channel: "email",
                    address: "\(prefix)v\(number)@volunteers.example.jp"))
        }
        return rows
    }

    /// Writes `cooperators.csv` (atomically: a SIGHUP never reads half a file).
    func writeCooperators(_ rows: [Cooperator]) throws {
        var csv = "id,name,channel,address,areas,municipality,active\n"
        for row in rows {
            csv += "\(row.id),\(row.name),\(row.channel),\(row.address),,\(municipality),yes\n"
        }
        try writeCooperatorsFile(csv)
    }

    func writeCooperatorsFile(_ text: String) throws {
        try text.write(toFile: cooperatorsPath, atomically: true, encoding: .utf8)
    }

    func remove() {
        if ProcessInfo.processInfo.environment["MIMAMORI_KEEP_TEST_FILES"] == nil {
            // A second pass for anything a dying process created while the first one ran.
            if (try? FileManager.default.removeItem(at: directory)) == nil {
                try? FileManager.default.removeItem(at: directory)
            }
        }
    }
}

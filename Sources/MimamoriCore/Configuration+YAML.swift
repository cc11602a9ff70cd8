import Foundation
import Yams

extension Configuration {
    /// Parses and validates `mimamori.yaml`. Unknown keys are errors (a typo must not silently
    /// fall back to a default); every problem is collected before throwing.
    public static func parse(yaml text: String) throws(ConfigurationError) -> Configuration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "", message: "not valid YAML: \(error)")])
        }
        var reader = SettingsReader()
        let configuration = reader.configuration(root)
        guard reader.problems.isEmpty, let configuration else {
            throw ConfigurationError(problems: reader.problems)
        }
        return configuration
    }

    /// `30s`, `5m`, `6h`, `30d`, `250ms`.
    public static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, millis) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "5ms" also ends in "s": only accept a plain number before the suffix.
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                let value = Int64(number), value <= 10_000_000
            else { continue }
            return .milliseconds(value * millis)
        }
        return nil
    }
}

/// Walks the YAML tree with the current key path, collecting problems instead of stopping.
struct SettingsReader {
    var problems: [ConfigurationProblem] = []

    mutating func problem(_ path: String, _ message: String) {
        problems.append(ConfigurationProblem(path: path, message: message))
    }

    /// The mapping at `path` as key → node, reporting unknown keys.
    mutating func mapping(_ node: Node?, _ path: String, allowed: [String]) -> [String: Node]? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            problem(path, "must be a mapping of keys (key: value)")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            let name = key.string ?? "?"
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if !allowed.contains(name) {
                problem(keyPath, "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
            } else if result[name] != nil {
                problem(keyPath, "given twice")
            } else if value.null != nil {
                continue  // `key:` with nothing after it: treat as absent, the default applies
            } else {
                result[name] = value
            }
        }
        return result
    }

    mutating func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            problem(path, "must be a single value")
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            problem(path, "must not be empty")
            return nil
        }
        return text
    }

    mutating func requiredString(_ node: Node?, _ path: String) -> String? {
        if node == nil { problem(path, "required") }
        return string(node, path)
    }

    mutating func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let text = string(node, path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(path, "must be true or false")
            return nil
        }
    }

    mutating func int(_ node: Node?, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem(path, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// `allowingZero`: 0s is a setting of its own (turning something off), not a mistake.
    mutating func duration(_ node: Node?, _ path: String, allowingZero: Bool = false) -> Duration? {
        guard let text = string(node, path) else { return nil }
        guard let value = Configuration.parseDuration(text), value > .zero || (allowingZero && value == .zero) else {
            problem(path, "must be a duration such as 30s, 5m, 6h or 30d")
            return nil
        }
        return value
    }

    mutating func time(_ node: Node?, _ path: String) -> TimeOfDay? {
        guard let text = string(node, path) else { return nil }
        guard let value = TimeOfDay(text) else {
            problem(path, "must be a time of day such as \"07:00\" (quote it in YAML)")
            return nil
        }
        return value
    }

    mutating func url(_ node: Node?, _ path: String, schemes: [String]) -> String? {
        guard let text = string(node, path) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            problem(path, "not a URL (\(schemes.map { "\($0)://…" }.joined(separator: " or ")))")
            return nil
        }
        return text
    }

    mutating func path(_ node: Node?, _ keyPath: String) -> String? {
        guard let text = string(node, keyPath) else { return nil }
        guard text.hasPrefix("/") else {
            problem(keyPath, "must be an absolute path")
            return nil
        }
        return text
    }

    mutating func strings(_ node: Node?, _ path: String, example: String = "[\"/usr/bin/open_jtalk\", \"-x\", \"…\"]") -> [String]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            problem(path, "must be a list, e.g. \(example)")
            return nil
        }
        return sequence.enumerated().compactMap { string($1, "\(path)[\($0)]") }
    }

    // MARK: mimamori.yaml

    mutating func configuration(_ root: Node?) -> Configuration? {
        guard let root else {
            problem("", "the file is empty")
            return nil
        }
        let top = [
            "municipality", "town", "areas", "broker", "ledger", "cooperators", "templates", "publishers", "email", "fax",
            "radio", "retry", "reminders", "retention", "open-case-alarm", "staff", "operator", "metrics",
            "concerns", "registry", "shelter", "confirm", "partners",
        ]
        guard let map = mapping(root, "", allowed: top) else { return nil }

        let municipality = requiredString(map["municipality"], "municipality")
        if let municipality,
            !municipality.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        {
            problem("municipality", "must be lower-case letters, digits, '-' or '_' (it names the queue)")
        }
        let town = self.town(map["town"])
        let email = self.email(map["email"])
        var c = Configuration(
            municipality: municipality ?? "",
            town: town ?? Configuration.Town(name: "", department: "", phone: ""),
            email: email ?? Configuration.Email(from: ""))
        if let tree = areas(map["areas"], root: c.town.name) { c.areas = tree }
        townReading(&c)

        if let b = mapping(map["broker"], "broker", allowed: ["url", "urls", "prefetch", "heartbeat"]) {
            if let v = url(b["url"], "broker.url", schemes: ["amqp", "amqps"]) { c.broker.url = v }
            if let urls = brokerURLs(b["urls"], alongside: b["url"]) {
                c.broker.url = urls[0]
                c.broker.otherURLs = Array(urls.dropFirst())
            }
            if let v = int(b["prefetch"], "broker.prefetch", in: 1...65535) { c.broker.prefetch = v }
            if let v = duration(b["heartbeat"], "broker.heartbeat") { c.broker.heartbeat = v }
        }
        if let l = mapping(map["ledger"], "ledger", allowed: ["path", "url"]) {
            if let v = path(l["path"], "ledger.path") { c.ledger.path = v }
            if let v = url(l["url"], "ledger.url", schemes: ["postgres", "postgresql"]) {
                if l["path"] != nil {
                    problem("ledger", "path and url are both set: the ledger is the SQLite file (path) or PostgreSQL (url)")
                }
                if let password = URLComponents(string: v)?.password, !password.isEmpty {
                    problem("ledger.url", "carries a password; put it in the ledger-password credential instead")
                } else if URLComponents(string: v)?.user?.isEmpty ?? true {
                    problem("ledger.url", "names no user (postgres://USER@HOST/DATABASE)")
                } else {
                    c.ledger.url = v
                }
            }
        }
        if let v = path(map["cooperators"], "cooperators") { c.cooperators = v }
        c.templates = path(map["templates"], "templates")
        if let p = mapping(map["publishers"], "publishers", allowed: ["require-signature", "keys", "max-age"]) {
            if let v = bool(p["require-signature"], "publishers.require-signature") { c.publishers.requireSignature = v }
            if let v = path(p["keys"], "publishers.keys") { c.publishers.keys = v }
            if let v = duration(p["max-age"], "publishers.max-age") { c.publishers.maxAge = v }
        }
        if let f = fax(map["fax"]) { c.fax = f }
        c.radio = radio(map["radio"])
        if let r = mapping(map["retry"], "retry", allowed: ["initial", "max", "deadline"]) {
            if let v = duration(r["initial"], "retry.initial") { c.retry.initial = v }
            if let v = duration(r["max"], "retry.max") { c.retry.max = v }
            if let v = duration(r["deadline"], "retry.deadline") { c.retry.deadline = v }
        }
        if c.retry.max < c.retry.initial { problem("retry.max", "must be ≥ retry.initial") }
        if c.retry.deadline < c.retry.max { problem("retry.deadline", "must be ≥ retry.max") }
        if let r = mapping(map["reminders"], "reminders", allowed: ["destruction-at", "business-days-only", "second-after"]) {
            if let v = time(r["destruction-at"], "reminders.destruction-at") { c.reminders.destructionAt = v }
            if let v = bool(r["business-days-only"], "reminders.business-days-only") { c.reminders.businessDaysOnly = v }
            if let v = int(r["second-after"], "reminders.second-after", in: 0...30) {
                c.reminders.secondAfter = v
                c.reminders.secondAfterGiven = true
            }
        }
        retentionLimits(map, into: &c)
        if let s = staff(map["staff"]) { c.staff = s }
        c.concerns = concerns(map["concerns"], areas: c.areas)
        c.registry = registry(map["registry"])
        c.shelter = shelter(map["shelter"])
        c.confirm = confirm(map["confirm"])
        (c.partners, c.partnerNames) = partners(map["partners"], municipality: municipality)
        if let o = mapping(map["operator"], "operator", allowed: ["alarm-email"]), let v = string(o["alarm-email"], "operator.alarm-email")
        {
            if Addresses.normalisedEmail(v) == nil { problem("operator.alarm-email", "not an email address") }
            c.operator.alarmEmail = v
        }
        if let m = mapping(map["metrics"], "metrics", allowed: ["listen", "allow-remote"]) {
            if let v = bool(m["allow-remote"], "metrics.allow-remote") { c.metrics.allowRemote = v }
            if let v = string(m["listen"], "metrics.listen") {
                if let port = v.split(separator: ":").last.flatMap({ Int($0) }), (1...65535).contains(port), v.contains(":") {
                    c.metrics.listen = v
                } else {
                    problem("metrics.listen", "must be host:port, e.g. 127.0.0.1:9464")
                }
            }
            let host = String(c.metrics.listen[..<(c.metrics.listen.lastIndex(of: ":") ?? c.metrics.listen.endIndex)])
            if !c.metrics.allowRemote && !Configuration.Metrics.isLoopback(host: host) {
                problem(
                    "metrics.listen",
                    "\(host) is not a loopback address: /metrics and /healthz would answer the network; use 127.0.0.1, or set metrics.allow-remote: true (and a firewall) on purpose"
                )
            }
        }
        return c
    }

    /// `broker.urls`: the nodes of one RabbitMQ cluster, tried in turn (rabbitmq-c connects to
    /// one host at a time). One user, vhost and scheme for all: only the host and port differ.
    mutating func brokerURLs(_ node: Node?, alongside single: Node?) -> [String]? {
        guard let node else { return nil }
        if single != nil {
            problem("broker.urls", "give broker.url (one node) or broker.urls (the nodes of a cluster), not both")
            return nil
        }
        guard
            let texts = strings(
                node, "broker.urls", example: "[\"amqp://mimamori@mq1:5672/mimamori\", \"amqp://mimamori@mq2:5672/mimamori\"]"),
            !texts.isEmpty
        else {
            if case .sequence(let items) = node, items.isEmpty { problem("broker.urls", "must name at least one node") }
            return nil
        }
        var urls: [String] = []
        for (i, text) in texts.enumerated() {
            guard let valid = url(Node(text), "broker.urls[\(i)]", schemes: ["amqp", "amqps"]) else { continue }
            urls.append(valid)
        }
        guard urls.count == texts.count else { return nil }
        func shape(_ text: String) -> String {
            let c = URLComponents(string: text)
            return "\(c?.scheme?.lowercased() ?? "")://\(c?.user ?? "")@/\(c?.path ?? "")?\(c?.query ?? "")"
        }
        let first = shape(urls[0])
        for (i, text) in urls.enumerated().dropFirst() where shape(text) != first {
            problem("broker.urls[\(i)]", "differs from broker.urls[0] in more than host and port (one cluster: one scheme, user, vhost)")
        }
        return urls
    }

    mutating func town(_ node: Node?) -> Configuration.Town? {
        if node == nil {
            problem("town", "required: name, department and phone of the sender of notices")
            return nil
        }
        guard let t = mapping(node, "town", allowed: ["name", "department", "head", "phone", "network", "regulation", "reading"]) else {
            return nil
        }
        let name = requiredString(t["name"], "town.name")
        let department = requiredString(t["department"], "town.department")
        let phone = requiredString(t["phone"], "town.phone")
        if let phone, Addresses.normalisedFaxNumber(phone) == nil {
            problem("town.phone", "not a Japanese phone number (e.g. 073-489-9960)")
        }
        guard let name, let department, let phone else { return nil }
        return Configuration.Town(
            name: name, department: department, head: string(t["head"], "town.head"), phone: phone,
            network: string(t["network"], "town.network"), regulation: string(t["regulation"], "town.regulation"),
            reading: kana(t["reading"], "town.reading", example: "きみのちょう"))
    }

    /// Kana only (ひらがな, カタカナ, ー): what the radio script carries in place of a written name.
    mutating func kana(_ node: Node?, _ path: String, example: String) -> String? {
        guard let text = string(node, path) else { return nil }
        return checkedKana(text, path, example: example)
    }

    mutating func checkedKana(_ text: String, _ path: String, example: String) -> String? {
        guard text.unicodeScalars.allSatisfy({ (0x3041...0x30FF).contains($0.value) }) else {
            problem(path, "must be written in kana (ひらがな or カタカナ), e.g. \(example)")
            return nil
        }
        return text
    }

    /// `town.reading` and a reading of the town's name in `areas.readings` are one reading: either
    /// may give it, and two different ones are a mistake (which would the radio say?).
    mutating func townReading(_ c: inout Configuration) {
        let fromAreas = c.areas.reading(of: c.areas.root)
        switch (c.town.reading, fromAreas) {
        case (let town?, let areas?) where town != areas:
            problem("town.reading", "\(town) differs from areas.readings.\(c.town.name) (\(areas)); give the reading once")
        case (let town?, _):
            c.areas.setRootReading(town)
        case (nil, let areas?):
            c.town.reading = areas
        case (nil, nil):
            break
        }
    }

    /// `areas: { 紀美野町: [野上, 美里], 野上: [動木, 下佐々], aliases: { 野上町: 野上 }, readings: { 野上: のかみ } }`:
    /// each key lists the areas it contains; a key the tree does not know yet is an area of the
    /// town (the root, `town.name`). `aliases` are old or other names of an area (the towns
    /// merged in 2006: 野上町, 美里町); `readings` are kana for the radio.
    mutating func areas(_ node: Node?, root: String) -> AreaTree? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            problem("areas", "must be a mapping of an area to the areas it contains, e.g. { 紀美野町: [野上, 美里] }")
            return nil
        }
        var tree = AreaTree(root: root)
        var aliases: Node?
        var readings: Node?
        for (key, value) in mapping {
            let name = key.string ?? "?"
            let path = "areas.\(name)"
            switch name {
            case "aliases": aliases = value
            case "readings": readings = value
            default:
                guard let children = strings(value, path, example: "[野上, 美里]") else { continue }
                do {
                    try tree.add(children: children, under: name)
                } catch {
                    problem(path, error.description)
                }
            }
        }
        if let aliases {
            for (alias, area) in stringMapping(aliases, "areas.aliases") {
                do { try tree.add(alias: alias, for: area) } catch { problem("areas.aliases.\(alias)", error.description) }
            }
        }
        if let readings {
            for (area, reading) in stringMapping(readings, "areas.readings") {
                guard checkedKana(reading, "areas.readings.\(area)", example: "のかみ") != nil else { continue }
                do { try tree.add(reading: reading, for: area) } catch { problem("areas.readings.\(area)", error.description) }
            }
        }
        return tree
    }

    /// A mapping of single values (`野上町: 野上`), in the file's order.
    mutating func stringMapping(_ node: Node, _ path: String) -> [(String, String)] {
        guard case .mapping(let mapping) = node else {
            problem(path, "must be a mapping (key: value)")
            return []
        }
        return mapping.compactMap { key, value in
            let name = key.string ?? "?"
            return string(value, "\(path).\(name)").map { (name, $0) }
        }
    }

    mutating func email(_ node: Node?) -> Configuration.Email? {
        if node == nil {
            problem("email", "required: at least email.from")
            return nil
        }
        guard let e = mapping(node, "email", allowed: ["smtp", "from", "sessions", "rate"]) else { return nil }
        let from = requiredString(e["from"], "email.from")
        if let from {
            // `Name <addr>` or a bare address.
            let address = from.firstIndex(of: "<").map { String(from[from.index(after: $0)...].prefix { $0 != ">" }) } ?? from
            if Addresses.normalisedEmail(address) == nil {
                problem("email.from", "not an email address (e.g. \"紀美野町 保健福祉課 <sos@town.example.jp>\")")
            }
        }
        var email = Configuration.Email(from: from ?? "")
        if let v = url(e["smtp"], "email.smtp", schemes: ["smtp", "smtps"]) { email.smtp = v }
        if let v = int(e["sessions"], "email.sessions", in: 1...64) { email.sessions = v }
        if let text = string(e["rate"], "email.rate") {
            // Messages per second: a relay's cap such as 5, or 0.5 for one every two seconds.
            if let v = Double(text), v.isFinite, (0.1...1000).contains(v) {
                email.rate = v
            } else {
                problem("email.rate", "must be messages per second from 0.1 to 1000 (e.g. 5 or 0.5); leave it out for no limit")
            }
        }
        return email
    }

    mutating func fax(_ node: Node?) -> Configuration.Fax? {
        guard let f = mapping(node, "fax", allowed: ["method", "gateway", "url", "sendfax", "host", "busy-retry", "number-gap"])
        else { return nil }
        var fax = Configuration.Fax()
        var methodKnown = true
        if let text = string(f["method"], "fax.method") {
            if let method = Configuration.Fax.Method(rawValue: text) {
                fax.method = method
            } else {
                problem("fax.method", "must be one of email-gateway, http-api, hylafax")
                methodKnown = false
            }
        }
        fax.gateway = string(f["gateway"], "fax.gateway")
        fax.url = url(f["url"], "fax.url", schemes: ["http", "https"])
        if let v = path(f["sendfax"], "fax.sendfax") { fax.sendfax = v }
        fax.host = string(f["host"], "fax.host")
        if let texts = strings(f["busy-retry"], "fax.busy-retry", example: "[3m, 5m, 10m]") {
            var waits: [Duration] = []
            for (index, text) in texts.enumerated() {
                guard let value = Configuration.parseDuration(text), value >= .seconds(60), value <= .seconds(3 * 3600) else {
                    problem("fax.busy-retry[\(index)]", "must be a wait from 1m to 3h, e.g. 3m: a FAX line is dialled again minutes apart")
                    continue
                }
                waits.append(value)
            }
            if texts.count > 10 { problem("fax.busy-retry", "at most 10 redials") }
            if waits.count == texts.count { fax.busyRetry = waits }
        }
        // 0s: the FAX service keeps one number's FAXes apart by itself (or the numbers are all
        // different machines), so nothing waits here.
        if let v = duration(f["number-gap"], "fax.number-gap", allowingZero: true) {
            if v > .seconds(3600) {
                problem("fax.number-gap", "must be at most 1h (the time between two FAXes to one number)")
            } else {
                fax.numberGap = v
            }
        }
        // Which keys a method needs is only worth saying once the method itself is right.
        guard methodKnown else { return fax }
        switch fax.method {
        case .emailGateway:
            if let gateway = fax.gateway {
                if !gateway.contains("{number}")
                    || Addresses.normalisedEmail(gateway.replacingOccurrences(of: "{number}", with: "0734899960")) == nil
                {
                    problem("fax.gateway", "must be an address containing {number}, e.g. \"{number}@fax.example.jp\"")
                }
            } else if f["gateway"] == nil {
                problem("fax.gateway", "required when fax.method is email-gateway")
            }
        case .httpAPI:
            if f["url"] == nil { problem("fax.url", "required when fax.method is http-api") }
        case .hylafax:
            break
        }
        return fax
    }

    mutating func radio(_ node: Node?) -> Configuration.Radio? {
        guard let r = mapping(node, "radio", allowed: ["cap-url", "spool", "tts-command", "quiet-hours", "cap-expires"]) else { return nil }
        var radio = Configuration.Radio()
        radio.capURL = url(r["cap-url"], "radio.cap-url", schemes: ["http", "https"])
        radio.spool = path(r["spool"], "radio.spool")
        radio.ttsCommand = strings(r["tts-command"], "radio.tts-command") ?? []
        if let v = duration(r["cap-expires"], "radio.cap-expires") { radio.capExpires = v }
        if r["cap-url"] == nil, r["spool"] == nil {
            problem("radio", "needs cap-url or spool (or leave the radio section out: no radio)")
        }
        if let q = mapping(r["quiet-hours"], "radio.quiet-hours", allowed: ["from", "to", "policy"]) {
            let from = time(q["from"], "radio.quiet-hours.from")
            let to = time(q["to"], "radio.quiet-hours.to")
            if q["from"] == nil { problem("radio.quiet-hours.from", "required") }
            if q["to"] == nil { problem("radio.quiet-hours.to", "required") }
            var policy = QuietHours.Policy.defer
            if let text = string(q["policy"], "radio.quiet-hours.policy") {
                if let p = QuietHours.Policy(rawValue: text) {
                    policy = p
                } else {
                    problem("radio.quiet-hours.policy", "must be defer or broadcast")
                }
            }
            if let from, let to { radio.quietHours = QuietHours(from: from, to: to, policy: policy) }
        }
        return radio
    }
}

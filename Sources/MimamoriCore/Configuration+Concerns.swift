import Foundation
import Yams

/// `concerns:` (みまさかほっとネット, seed sections 7–8): the desks a concern report reaches and
/// the rules that choose them. Any town may enable it; without the section the daemon neither
/// declares nor consumes the concern queue.
extension Configuration {
    public struct Concerns: Sendable, Hashable {
        /// A desk that takes reports (美作市総合相談支援センター, 勝田地域ステーション, 市役所 日直).
        public struct Desk: Sendable, Hashable, Codable {
            /// Safe to log: `centre`, `katsuta`, `duty`.
            public var id: String
            /// As notices and `mimamori route` name it.
            public var name: String
            /// For staff (the call-back list, `mimamori route`); never on the reporter's notice.
            public var phone: String
            public var emails: [String]
            public var faxes: [String]
            /// The areas whose reports go to this desk in office hours (a 地域ステーション);
            /// empty for the centre and the duty desk.
            public var areas: [String]

            public init(id: String, name: String, phone: String, emails: [String] = [], faxes: [String] = [], areas: [String] = []) {
                self.id = id
                self.name = name
                self.phone = phone
                self.emails = emails
                self.faxes = faxes
                self.areas = areas
            }
        }

        /// Every desk, in the order of the settings.
        public var desks: [Desk]
        /// The general support centre (総合相談支援センター): weekdays in hours, for an area with
        /// no station of its own, and beside the station for an urgent report.
        public var centre: String
        /// The duty desk (市役所 日直): evenings, weekends, public holidays and the year-end break.
        public var afterHours: String
        /// Office hours on business days: from `opens` (inclusive) to `closes` (exclusive).
        public var opens = TimeOfDay(hour: 8, minute: 0)
        public var closes = TimeOfDay(hour: 18, minute: 0)

        public init(desks: [Desk], centre: String, afterHours: String) {
            self.desks = desks
            self.centre = centre
            self.afterHours = afterHours
        }

        public func desk(_ id: String) -> Desk? { desks.first { $0.id == id } }
    }
}

/// Which desks a concern report reaches, and the rule that chose them (for `mimamori route`
/// and the audit: ids only).
public struct ConcernRoute: Sendable, Hashable, Codable {
    /// Why these desks: stable codes, free of personal data.
    public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
        /// A business day in hours; the subject's area has a station.
        case station = "weekday.station"
        /// A business day in hours; no station for the area (or no area given): the centre.
        case centre = "weekday.centre"
        /// A business day before opening or from closing time.
        case evening = "after-hours.evening"
        /// Saturday or Sunday.
        case weekend = "after-hours.weekend"
        /// A public holidday (祝日, 振替休日, 国民の休日).
        case holiday = "after-hours.holiday"
        /// 12/29–1/3.
        case yearEnd = "after-hours.year-end"
    }

    /// Desk ids: the station first (it visits, and keeps the call-back list), then the centre.
    public var desks: [String]
    public var rule: Rule
    /// 【至急】: the centre was added beside the station.
    public var urgent: Bool
    /// The holiday's name when `rule == .holiday` (for staff; never personal data).
    public var holiday: String?

    public init(desks: [String], rule: Rule, urgent: Bool, holiday: String? = nil) {
        self.desks = desks
        self.rule = rule
        self.urgent = urgent
        self.holiday = holiday
    }
}

extension Configuration.Concerns {
    /// 連絡先 (seed section 8): on a business day (月～金, not a public holiday, not 12/29–1/3)
    /// from `opens` to `closes`, the station of the subject's area when one is configured,
    /// otherwise the general centre; an urgent report goes to the centre beside the station. At
    /// any other time (休日・夜間) the duty desk. An area the tree does not know, or a report
    /// with none, goes to the centre: a guess could send it to the wrong station.
    public func contactDesks(area: String?, urgent: Bool, at instant: Date, areas: AreaTree) -> ConcernRoute {
        let date = JapaneseCalendar.localDate(of: instant)
        let time = JapaneseCalendar.timeOfDay(of: instant)
        let closedBy: ConcernRoute.Rule?
        var holiday: String?
        if JapaneseCalendar.isYearEndBreak(date) {
            closedBy = .yearEnd
        } else if date.isWeekend {
            closedBy = .weekend
        } else if let name = JapaneseCalendar.holidayName(date) {
            closedBy = .holiday
            holiday = name
        } else if time < opens || time >= closes {
            closedBy = .evening
        } else {
            closedBy = nil
        }
        if let closedBy {
            return ConcernRoute(desks: [afterHours], rule: closedBy, urgent: urgent, holiday: holiday)
        }
        guard let station = station(for: area, areas: areas) else {
            return ConcernRoute(desks: [centre], rule: .centre, urgent: urgent)
        }
        let chosen = urgent && station.id != centre ? [station.id, centre] : [station.id]
        return ConcernRoute(desks: chosen, rule: .station, urgent: urgent)
    }

    /// The station whose areas hold `area`; the most specific one when areas nest.
    func station(for area: String?, areas: AreaTree) -> Desk? {
        guard let area, case .known(let subject) = areas.place(area) else { return nil }
        var best: (desk: Desk, depth: Int)?
        for desk in desks where desk.id != centre && desk.id != afterHours {
            for name in desk.areas {
                guard case .known(let served) = areas.place(name), areas.contains(served, subject) else { continue }
                let depth = areas.depth(of: served)
                if best.map({ depth > $0.depth }) ?? true { best = (desk, depth) }
            }
        }
        return best?.desk
    }
}

extension Configuration.Concerns {
    /// Settings that work but are likely a mistake (check-config prints them, the daemon logs
    /// them at start): a desk no rule can choose.
    var warnings: [(event: String, reason: String)] {
        desks.filter { $0.areas.isEmpty && $0.id != centre && $0.id != afterHours }.map {
            (
                "settings.concern-desk-unreached",
                "concerns.desks: \($0.id) has no areas and is neither concerns.centre nor concerns.after-hours: no report reaches it"
            )
        }
    }
}

extension SettingsReader {
    /// `concerns:` with its desks. Everything that would make a report quietly reach fewer
    /// desks than the table says is an error: a desk with no address, a station area the
    /// `areas:` tree does not know, a centre or duty desk that is not listed.
    mutating func concerns(_ node: Node?, areas: AreaTree) -> Configuration.Concerns? {
        guard let c = mapping(node, "concerns", allowed: ["desks", "centre", "after-hours", "opens", "closes"]) else { return nil }
        var desks: [Configuration.Concerns.Desk] = []
        if let node = c["desks"] {
            if case .sequence(let sequence) = node {
                for (index, item) in sequence.enumerated() {
                    if let desk = concernDesk(item, "concerns.desks[\(index)]", areas: areas) {
                        if desks.contains(where: { $0.id == desk.id }) {
                            problem("concerns.desks[\(index)].id", "\(desk.id) is given twice")
                        } else {
                            desks.append(desk)
                        }
                    }
                }
            } else {
                problem("concerns.desks", "must be a list of desks (- id: centre …)")
            }
        }
        if desks.isEmpty { problem("concerns.desks", "required: the desks that take reports") }
        let centre = requiredString(c["centre"], "concerns.centre")
        let afterHours = requiredString(c["after-hours"], "concerns.after-hours")
        for (key, id) in [("concerns.centre", centre), ("concerns.after-hours", afterHours)] {
            if let id, !desks.isEmpty, !desks.contains(where: { $0.id == id }) {
                problem(key, "\(id) is not one of concerns.desks (\(desks.map(\.id).joined(separator: ", ")))")
            }
        }
        // Two stations for one area: the one listed first would take every report of it, and the
        // other would quietly get none.
        var servedBy: [AreaTree.Area: String] = [:]
        for (index, desk) in desks.enumerated() {
            for (areaIndex, name) in desk.areas.enumerated() {
                guard case .known(let area) = areas.place(name) else { continue }
                if let other = servedBy[area] {
                    problem(
                        "concerns.desks[\(index)].areas[\(areaIndex)]", "\(name) is already the area of \(other): an area has one station")
                } else {
                    servedBy[area] = desk.id
                }
            }
        }
        guard let centre, let afterHours else { return nil }
        var concerns = Configuration.Concerns(desks: desks, centre: centre, afterHours: afterHours)
        if let v = time(c["opens"], "concerns.opens") { concerns.opens = v }
        if let v = time(c["closes"], "concerns.closes") { concerns.closes = v }
        if concerns.closes <= concerns.opens { problem("concerns.closes", "must be later than concerns.opens") }
        return concerns
    }

    mutating func concernDesk(_ node: Node, _ path: String, areas: AreaTree) -> Configuration.Concerns.Desk? {
        guard let d = mapping(node, path, allowed: ["id", "name", "phone", "email", "fax", "areas"]) else { return nil }
        let id = requiredString(d["id"], "\(path).id")
        if let id, !id.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }) {
            problem("\(path).id", "must be lower-case letters, digits, '-' or '_' (it is logged and shown in reports)")
        }
        let name = requiredString(d["name"], "\(path).name")
        let phone = requiredString(d["phone"], "\(path).phone")
        if let phone, Addresses.normalisedFaxNumber(phone) == nil {
            problem("\(path).phone", "not a Japanese phone number (e.g. 0868-73-0330)")
        }
        let emails = oneOrMany(d["email"], "\(path).email")
        for (index, email) in emails.enumerated() where Addresses.normalisedEmail(email) == nil {
            problem(emails.count == 1 ? "\(path).email" : "\(path).email[\(index)]", "not an email address")
        }
        let faxes = oneOrMany(d["fax"], "\(path).fax")
        for (index, fax) in faxes.enumerated() where Addresses.normalisedFaxNumber(fax) == nil {
            problem(faxes.count == 1 ? "\(path).fax" : "\(path).fax[\(index)]", "not a Japanese FAX number (e.g. 0868-73-0331)")
        }
        if emails.isEmpty && faxes.isEmpty {
            problem(path, "needs an email or a fax address: a report must reach the desk in writing")
        }
        let served = oneOrMany(d["areas"], "\(path).areas")
        for (index, area) in served.enumerated() {
            if case .unknown = areas.place(area) {
                problem("\(path).areas[\(index)]", "\(area) is not in areas: (its reports would go to the centre instead)")
            }
        }
        guard let id, let name, let phone else { return nil }
        return Configuration.Concerns.Desk(id: id, name: name, phone: phone, emails: emails, faxes: faxes, areas: served)
    }

    /// A single value or a list of them.
    mutating func oneOrMany(_ node: Node?, _ path: String) -> [String] {
        guard let node else { return [] }
        if case .sequence = node { return strings(node, path, example: "[a, b]") ?? [] }
        return string(node, path).map { [$0] } ?? []
    }
}

import Foundation
import Yams

extension Configuration {
    /// `registry:` (要綱 第3条第2号, 第6条): families' advance registrations. Without the section
    /// the registry is off: `mimamori registry` refuses, and an event's `registrationId` is
    /// logged as unknown and the alert goes out with what the event carries.
    public struct Registry: Sendable, Hashable {
        /// The file that holds each registration's data key, apart from the ledger: a backup of
        /// the ledger alone cannot be read once a registration's key is destroyed here. Back it
        /// up on its own, short rotation, or not at all.
        public var keys = "/var/lib/mimamori/registry-keys.sqlite"
        /// The staff's list goes this many days before a registration's yearly reconfirmation is
        /// due (and again once it is overdue).
        public var remindDays = 30
        /// A registration not reconfirmed this long after its due date is purged.
        public var grace: Duration = .seconds(60 * 86400)
        /// When, on the town's clock, the daemon sends the day's reconfirmation list.
        public var remindAt = TimeOfDay(hour: 9, minute: 0)
        public init() {}
    }

    /// `shelter:` (緊急一時保護の取り扱い 第3条, 別表第1): the facilities the town has contracted
    /// for emergency temporary care. A closure's `shelter` names one of them.
    public struct Shelter: Sendable, Hashable {
        public struct Facility: Sendable, Hashable, Codable {
            /// Safe to log: `yasuragi`.
            public var id: String
            /// 介護老人福祉施設やすらぎ園.
            public var name: String
            public var fax: String
            public var phone: String
            /// 所在地, as 別表第1 lists it.
            public var address: String?

            public init(id: String, name: String, fax: String, phone: String, address: String? = nil) {
                self.id = id
                self.name = name
                self.fax = fax
                self.phone = phone
                self.address = address
            }
        }

        public var facilities: [Facility]
        /// When, on the morning the expected stay ends, staff are reminded of it.
        public var remindAt = TimeOfDay(hour: 8, minute: 30)

        public init(facilities: [Facility]) { self.facilities = facilities }

        public func facility(_ id: String) -> Facility? { facilities.first { $0.id == id } }
    }
}

extension SettingsReader {
    mutating func registry(_ node: Node?) -> Configuration.Registry? {
        guard let node else { return nil }
        var registry = Configuration.Registry()
        // `registry: {}` turns the registry on with the defaults.
        guard let r = mapping(node, "registry", allowed: ["keys", "remind-days", "grace", "remind-at"]) else { return registry }
        if let v = path(r["keys"], "registry.keys") { registry.keys = v }
        if let v = int(r["remind-days"], "registry.remind-days", in: 1...180) { registry.remindDays = v }
        if let v = duration(r["grace"], "registry.grace") {
            if v < .seconds(86400) { problem("registry.grace", "must be at least 1d") }
            registry.grace = v
        }
        if let v = time(r["remind-at"], "registry.remind-at") { registry.remindAt = v }
        return registry
    }

    mutating func shelter(_ node: Node?) -> Configuration.Shelter? {
        guard let s = mapping(node, "shelter", allowed: ["facilities", "remind-at"]) else { return nil }
        var facilities: [Configuration.Shelter.Facility] = []
        if case .sequence(let list)? = s["facilities"] {
            for (index, item) in list.enumerated() {
                if let facility = shelterFacility(item, "shelter.facilities[\(index)]") {
                    if facilities.contains(where: { $0.id == facility.id }) {
                        problem("shelter.facilities[\(index)].id", "\(facility.id) is given twice")
                    }
                    facilities.append(facility)
                }
            }
        } else if s["facilities"] != nil {
            problem("shelter.facilities", "must be a list of facilities (- id: yasuragi …)")
        }
        if facilities.isEmpty { problem("shelter.facilities", "required: the contracted facilities (別表第1)") }
        var shelter = Configuration.Shelter(facilities: facilities)
        if let v = time(s["remind-at"], "shelter.remind-at") { shelter.remindAt = v }
        return shelter
    }

    mutating func shelterFacility(_ node: Node, _ path: String) -> Configuration.Shelter.Facility? {
        guard let f = mapping(node, path, allowed: ["id", "name", "fax", "phone", "address"]) else { return nil }
        let id = requiredString(f["id"], "\(path).id")
        if let id, !id.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }) {
            problem("\(path).id", "must be lower-case letters, digits, '-' or '_' (a closure names it; it is logged)")
        }
        let name = requiredString(f["name"], "\(path).name")
        let fax = requiredString(f["fax"], "\(path).fax")
        if let fax, Addresses.normalisedFaxNumber(fax) == nil { problem("\(path).fax", "not a Japanese FAX number (e.g. 073-489-5000)") }
        let phone = requiredString(f["phone"], "\(path).phone")
        if let phone, Addresses.normalisedFaxNumber(phone) == nil {
            problem("\(path).phone", "not a Japanese phone number (e.g. 073-489-5001)")
        }
        let address = string(f["address"], "\(path).address")
        guard let id, let name, let fax, let phone else { return nil }
        return Configuration.Shelter.Facility(id: id, name: name, fax: fax, phone: phone, address: address)
    }
}

import Yams

extension Configuration {
    /// A town of the same network (seed 004: 圏域で取り組む, 必要に応じ両市・町のネットワークを
    /// 利用可能). A case reaches a partner only with the family's `consent.partnerTowns`.
    public enum Partner: String, Sendable, Hashable, CaseIterable {
        /// The partner runs its own mimamorid: our consented cases are forwarded to it (over the
        /// shovel) and its cooperators are alerted by its daemon alone; its forwarded cases are
        /// accepted here and planned against our directory.
        case ownDaemon = "own-daemon"
        /// The partner has no mimamorid: its rows in our cooperators.csv are alerted by us.
        case ourDirectory = "our-directory"
    }

    /// The partners that run their own daemon, in a stable order: where a consented case is
    /// forwarded.
    public var forwardingPartners: [String] {
        partners.filter { $0.value == .ownDaemon }.keys.sorted()
    }

    /// The exchange a forwarded event is published to and the routing key it carries across
    /// (the partner's own queue binding, `case.<partner>.<kind>`).
    public static func partnerRoutingKey(partner: String, kind: String) -> String { "case.\(partner).\(kind)" }
}

extension SettingsReader {
    /// `partners: { kainan: own-daemon, yuasa: { kind: our-directory, name: 湯浅町 } }`.
    mutating func partners(_ node: Node?, municipality: String?) -> (kinds: [String: Configuration.Partner], names: [String: String]) {
        guard let node else { return ([:], [:]) }
        guard case .mapping(let towns) = node else {
            problem("partners", "must be a mapping of towns, e.g. { kainan: own-daemon }")
            return ([:], [:])
        }
        var names: [String: String] = [:]
        let values = Configuration.Partner.allCases.map(\.rawValue).joined(separator: " or ")
        var partners: [String: Configuration.Partner] = [:]
        for (key, value) in towns {
            let town = key.string ?? "?"
            let path = "partners.\(town)"
            guard town.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }),
                !town.isEmpty
            else {
                problem(path, "a partner is named by its municipality id (lower-case letters, digits, '-' or '_'), as its queue is")
                continue
            }
            if town == municipality {
                problem(path, "is this town's own municipality")
                continue
            }
            if partners[town] != nil {
                problem(path, "given twice")
                continue
            }
            var kindNode: Node? = value
            if case .mapping = value {
                guard let fields = mapping(value, path, allowed: ["kind", "name"]) else { continue }
                kindNode = fields["kind"]
                if kindNode == nil { problem("\(path).kind", "required: own-daemon or our-directory") }
                if let name = string(fields["name"], "\(path).name") { names[town] = name }
            }
            guard let text = string(kindNode, path) else { continue }
            guard let partner = Configuration.Partner(rawValue: text) else {
                problem(path, "must be \(values) (does \(town) run its own mimamorid?)")
                continue
            }
            partners[town] = partner
        }
        return (partners, names.filter { partners[$0.key] != nil })
    }
}

/// One row of `cooperators.csv`: a cooperating institution (FAX) or a mail volunteer (email).
public struct Cooperator: Sendable, Hashable, Codable {
    public var id: RecipientID
    public var name: String
    public var channel: Channel
    /// Email address as written, or a FAX number normalised to E.164 (`+81734899960`).
    public var address: String
    /// Areas the cooperator watches, as written in the directory. Empty: the whole municipality.
    /// `Planner.areaReason` decides with the town's `AreaTree` whether one concerns a case.
    public var areas: [String]
    public var municipality: String
    /// Inactive rows stay in the file (history, re-activation) but are never sent anything new.
    public var active: Bool

    public init(
        id: RecipientID, name: String, channel: Channel, address: String, areas: [String] = [],
        municipality: String, active: Bool = true
    ) {
        self.id = id
        self.name = name
        self.channel = channel
        self.address = address
        self.areas = areas
        self.municipality = municipality
        self.active = active
    }

}

/// The cooperators the planner may choose from, by id.
public struct CooperatorDirectory: Sendable, Hashable {
    public private(set) var cooperators: [Cooperator]
    private var byID: [RecipientID: Int]

    public init(_ cooperators: [Cooperator] = []) {
        self.cooperators = cooperators
        self.byID = Dictionary(cooperators.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(id: RecipientID) -> Cooperator? { byID[id].map { cooperators[$0] } }

    public var active: [Cooperator] { cooperators.filter(\.active) }
}

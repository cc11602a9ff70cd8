import Foundation

/// The town's areas as a tree (design 6): the town's name covers all of it, its areas cover
/// theirs (`海南市 ⊃ 日方`, `紀美野町 ⊃ 野上`). Built from `areas:` in mimamori.yaml.
///
/// Area refinement may narrow who is asked, never by accident: two areas are told apart only
/// when the tree knows both and neither contains the other. Text the tree does not know is
/// `unknown`, and an unknown area asks rather than skips.
public struct AreaTree: Sendable, Hashable {
    /// One area of the tree, by its index in `names`.
    public struct Area: Sendable, Hashable, Comparable {
        public let index: Int
        public static func < (a: Area, b: Area) -> Bool { a.index < b.index }
    }

    /// Where a written area lies in the tree.
    public enum Placement: Sendable, Hashable {
        case known(Area)
        /// Not a name, an alias or a joined form the tree knows (given as normalised).
        case unknown(String)
    }

    /// Canonical names, the root (the town's name) first.
    public private(set) var names: [String]
    /// Parent of each area; nil for a root.
    private var parents: [Int?]
    /// Normalised names and aliases → area.
    private var lookup: [String: Int]
    /// Kana readings for the radio, by area.
    public private(set) var readings: [Int: String]
    /// Areas placed under the root only because they were first met as a parent; listing them
    /// as a child moves them.
    private var provisional: Set<Int> = []

    /// A tree that knows only the town itself.
    public init(root: String) {
        names = [Self.normalised(root)]
        parents = [nil]
        lookup = [names[0]: 0]
        readings = [:]
    }

    public var root: Area { Area(index: 0) }

    public func name(of area: Area) -> String { names[area.index] }

    public func parent(of area: Area) -> Area? { parents[area.index].map(Area.init(index:)) }

    public func reading(of area: Area) -> String? { readings[area.index] }

    /// Every area of the tree, the root first.
    public var areas: [Area] { names.indices.map(Area.init(index:)) }

    // MARK: building

    public enum BuildProblem: Error, Sendable, Hashable, CustomStringConvertible {
        case twoParents(area: String, first: String, second: String)
        case cycle(area: String)
        case aliasTaken(alias: String)
        case aliasOfUnknown(alias: String, area: String)
        case readingOfUnknown(area: String)

        public var description: String {
            switch self {
            case .twoParents(let a, let f, let s): "\(a) is listed under both \(f) and \(s); an area has one parent"
            case .cycle(let a): "\(a) contains itself (through its children)"
            case .aliasTaken(let a): "alias \(a) is already the name or an alias of an area"
            case .aliasOfUnknown(let a, let area): "alias \(a) names \(area), which is not in the tree"
            case .readingOfUnknown(let area): "\(area) is not in the tree"
            }
        }
    }

    /// Adds `children` under `parent` (both created when new). A parent that is not yet in the
    /// tree becomes a child of the root: `areas: { 野上: [...] }` in a town's settings means the
    /// town's 野上.
    public mutating func add(children: [String], under parent: String) throws(BuildProblem) {
        let p = area(named: parent, creatingUnder: 0)
        for child in children {
            let key = Self.normalised(child)
            guard !key.isEmpty else { continue }
            if let existing = lookup[key] {
                guard existing != p else { continue }
                if existing == 0 || isAncestor(existing, of: p) { throw .cycle(area: key) }
                // A child first met as a parent key (put under the root until then) moves under
                // its real parent; any other second parent is a mistake.
                if provisional.remove(existing) != nil {
                    parents[existing] = p
                    continue
                }
                let current = parents[existing] ?? 0
                if current != p { throw .twoParents(area: key, first: names[current], second: names[p]) }
                continue
            }
            names.append(key)
            parents.append(p)
            lookup[key] = names.count - 1
        }
    }

    public mutating func add(alias: String, for area: String) throws(BuildProblem) {
        let key = Self.normalised(alias)
        guard let target = lookup[Self.normalised(area)] else { throw .aliasOfUnknown(alias: key, area: area) }
        if let existing = lookup[key] {
            if existing == target { return }
            throw .aliasTaken(alias: key)
        }
        lookup[key] = target
    }

    public mutating func add(reading: String, for area: String) throws(BuildProblem) {
        guard let target = lookup[Self.normalised(area)] else { throw .readingOfUnknown(area: area) }
        readings[target] = reading
    }

    /// The town's own reading (`town.reading`).
    public mutating func setRootReading(_ reading: String) { readings[0] = reading }

    private mutating func area(named text: String, creatingUnder parent: Int) -> Int {
        let key = Self.normalised(text)
        if let existing = lookup[key] { return existing }
        names.append(key)
        parents.append(parent)
        lookup[key] = names.count - 1
        provisional.insert(names.count - 1)
        return names.count - 1
    }

    private func isAncestor(_ a: Int, of b: Int) -> Bool {
        var cursor: Int? = b
        var steps = 0
        while let c = cursor, steps <= names.count {
            if c == a { return true }
            cursor = parents[c]
            steps += 1
        }
        return false
    }

    // MARK: reading written areas

    /// Compares as people write: NFKC (全角/半角 alike), no spaces anywhere (an office may write
    /// `海南市　日方`), no trailing 付近, 周辺 or 全域 (`野上付近` is 野上, `紀美野町全域` the town).
    public static func normalised(_ text: String) -> String {
        var s = text.precomposedStringWithCompatibilityMapping
        s.removeAll { $0.isWhitespace }
        for suffix in ["付近", "周辺", "全域"] where s.hasSuffix(suffix) && s.count > suffix.count {
            s.removeLast(suffix.count)
        }
        return s
    }

    /// Where `text` lies: a name, an alias, or a joined form (`海南市日方`, `紀美野町野上`: a
    /// name followed by the name of one of its descendants). Anything else is unknown, also a
    /// joined form whose tail the tree does not know (`日方1丁目`): narrowing on a guess could
    /// skip someone.
    public func place(_ text: String) -> Placement {
        let key = Self.normalised(text)
        if let index = resolve(key, within: nil) { return .known(Area(index: index)) }
        return .unknown(key)
    }

    private func resolve(_ key: String, within ancestor: Int?) -> Int? {
        guard !key.isEmpty else { return nil }
        if let index = lookup[key], ancestor.map({ isAncestor($0, of: index) && $0 != index }) ?? true { return index }
        // The longest known head first: `美里町美里` is the alias 美里町 followed by 美里.
        let heads = lookup.filter { key.hasPrefix($0.key) && key.count > $0.key.count }
            .sorted { $0.key.count > $1.key.count }
        for (head, index) in heads where ancestor.map({ isAncestor($0, of: index) }) ?? true {
            if let tail = resolve(String(key.dropFirst(head.count)), within: index) { return tail }
        }
        return nil
    }

    /// Whether `inner` is `outer` or lies within it (`美作市勝田梶並` within 勝田; the town
    /// itself not within any of its areas).
    public func contains(_ outer: Area, _ inner: Area) -> Bool { isAncestor(outer.index, of: inner.index) }

    /// How many steps from its root: 0 for the town.
    public func depth(of area: Area) -> Int {
        var steps = 0
        var cursor = parents[area.index]
        while let c = cursor, steps <= names.count {
            steps += 1
            cursor = parents[c]
        }
        return steps
    }

    /// Whether two areas share ground: one is the other or contains it. Areas of two separate
    /// roots (another town's tree) never overlap.
    public func overlaps(_ a: Area, _ b: Area) -> Bool {
        isAncestor(a.index, of: b.index) || isAncestor(b.index, of: a.index)
    }
}

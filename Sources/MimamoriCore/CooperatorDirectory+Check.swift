extension CooperatorDirectory {
    /// A directory area the town's area tree does not know: cooperators with it are asked for
    /// every case (never skipped on a guess) until the tree or the row is corrected.
    public struct UnknownArea: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var id: RecipientID
        public var area: String
        public var description: String { "line \(line) (\(id)): area \(area) is not in the areas of mimamori.yaml" }
    }

    /// What a read directory means for the daemon.
    public struct Check: Sendable, Hashable {
        /// The directory to plan with.
        public var directory: CooperatorDirectory
        /// Why it cannot be used at all; the daemon does not start on it (it would alert nobody).
        public var refusal: String?
        /// Rows left out; the daemon starts without them, names each and raises an alarm.
        public var refusedRows: [RowProblem]
        public var unknownAreas: [UnknownArea]
    }

    /// Applies the town's settings to a read directory. A row whose municipality is written as the
    /// town's name (紀美野町 for kimino, as staff write it) is the town's. A directory with no
    /// usable active row of the town is refused: a case would be recorded, acked and sent to
    /// nobody.
    public static func check(_ loaded: Loaded, configuration: Configuration) -> Check {
        let townName = AreaTree.normalised(configuration.town.name)
        let rows = loaded.directory.cooperators.map { row -> Cooperator in
            var row = row
            if AreaTree.normalised(row.municipality) == townName { row.municipality = configuration.municipality }
            return row
        }
        let directory = CooperatorDirectory(rows)
        var refusal: String?
        let usable = rows.filter { $0.active && $0.municipality == configuration.municipality }
        if usable.isEmpty {
            let others = Set(rows.map(\.municipality)).subtracting([configuration.municipality]).sorted()
            refusal =
                "no usable active row for municipality \(configuration.municipality)"
                + " (\(rows.count) rows read, \(rows.filter(\.active).count) active, \(loaded.problems.count) refused"
                + (others.isEmpty ? "" : "; municipality column names \(others.joined(separator: ", "))") + ")"
        }
        var unknown: [UnknownArea] = []
        var placed: [String: AreaTree.Placement] = [:]
        for row in rows {
            for area in row.areas {
                let placement = placed[area] ?? configuration.areas.place(area)
                placed[area] = placement
                guard case .unknown(let text) = placement else { continue }
                unknown.append(UnknownArea(line: loaded.lines[row.id] ?? 0, id: row.id, area: text))
            }
        }
        return Check(directory: directory, refusal: refusal, refusedRows: loaded.problems, unknownAreas: unknown)
    }
}

/// Early identification of a person found whose identity is unknown (要綱 第3条第4号): the
/// registered persons who may be that person, best match first.
///
/// What is known of the person found is compared with each registration, item by item. An item
/// missing on either side (no height given, a registration without one) neither excludes nor
/// scores. Sex, age and height are facts of the body: a registration that contradicts one is
/// not a candidate (so give the police's estimate as a range: `--age 75-90`). Where the person
/// was found and what they wear or carry only add: a person found far from home, or with a cane
/// the family did not mention, is still a candidate.
public enum RegistryCandidates {
    /// What is known of the person found.
    public struct Description: Sendable, Hashable {
        /// Only female and male are compared (other and unknown say nothing).
        public var sex: CaseEvent.Person.Sex?
        /// Estimated age in full years.
        public var age: ClosedRange<Int>?
        public var heightCm: ClosedRange<Int>?
        /// Where the person was found, as written (野上, 紀美野町野上).
        public var area: String?
        /// Words seen on the person (杖, ほくろ), each looked for in the registration's
        /// description and care notes.
        public var features: [String]

        public init(
            sex: CaseEvent.Person.Sex? = nil, age: ClosedRange<Int>? = nil, heightCm: ClosedRange<Int>? = nil, area: String? = nil,
            features: [String] = []
        ) {
            self.sex = sex
            self.age = age
            self.heightCm = heightCm
            self.area = area
            self.features = features
        }
    }

    /// An item that matched.
    public enum Match: Sendable, Hashable, Comparable {
        case sex, age, height, area
        /// The index of the feature in `Description.features`.
        case feature(Int)
    }

    public struct Candidate: Sendable, Hashable {
        public var id: RegistrationID
        public var name: String
        public var matches: [Match]
        /// One point per matched item.
        public var score: Int { matches.count }
    }

    /// The candidates among `registrations`, ages counted on `day`: the highest score first,
    /// then by id.
    public static func rank(_ registrations: [Registration], found: Description, on day: LocalDate, areas: AreaTree) -> [Candidate] {
        let foundArea = found.area.flatMap { text -> AreaTree.Area? in
            if case .known(let area) = areas.place(text) { return area }
            return nil
        }
        let wanted = found.features.map(searchable).enumerated().filter { !$0.element.isEmpty }
        var candidates: [Candidate] = []
        for registration in registrations {
            let person = registration.person
            var matches: [Match] = []
            if let sex = found.sex, comparedSexes.contains(sex), comparedSexes.contains(person.sex) {
                guard sex == person.sex else { continue }
                matches.append(.sex)
            }
            if let range = found.age {
                guard range.contains(person.age(on: day)) else { continue }
                matches.append(.age)
            }
            if let range = found.heightCm, let height = person.heightCm {
                guard range.contains(height) else { continue }
                matches.append(.height)
            }
            if let foundArea {
                let known = ([person.residenceArea] + registration.frequentedPlaces.map(\.area)).compactMap { $0 }
                    .compactMap { text -> AreaTree.Area? in
                        if case .known(let area) = areas.place(text) { return area }
                        return nil
                    }
                if known.contains(where: { areas.overlaps($0, foundArea) }) { matches.append(.area) }
            }
            if !wanted.isEmpty {
                let described = ([person.build, person.hair].compactMap { $0 } + person.features + registration.careNotes).map(searchable)
                for (index, word) in wanted where described.contains(where: { $0.contains(word) }) {
                    matches.append(.feature(index))
                }
            }
            candidates.append(Candidate(id: registration.id, name: person.name, matches: matches))
        }
        return candidates.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
    }

    static let comparedSexes: Set<CaseEvent.Person.Sex> = [.female, .male]

    /// Compared as people write: NFKC (全角/半角 alike), no spaces, katakana as hiragana
    /// (ツエ and つえ), Latin letters in lower case.
    static func searchable(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased().filter { !$0.isWhitespace }
        return String(
            String.UnicodeScalarView(
                folded.unicodeScalars.map { s in
                    (0x30A1...0x30F6).contains(s.value) ? Unicode.Scalar(s.value - 0x60)! : s
                }))
    }
}

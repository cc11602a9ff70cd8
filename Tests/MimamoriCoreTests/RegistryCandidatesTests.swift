import Foundation
import Testing

@testable import MimamoriCore

/// `RegistryCandidates.rank`: who among the registered may be a person found (要綱 第3条第4号).
/// Every combination of what is given and what is registered, against a rule written out here a
/// second time: missing on either side neither excludes nor scores; sex, age, height exclude on
/// a contradiction; area (through the tree) and features only score.
@Suite("registry candidates: ranking registered persons for a person found")
struct RegistryCandidatesTests {
    static let today = LocalDate(2026, 12, 3)
    static let areas: AreaTree = {
        var tree = AreaTree(root: "紀美野町")
        try! tree.add(children: ["野上", "美里"], under: "紀美野町")
        try! tree.add(children: ["動木"], under: "野上")
        try! tree.add(alias: "野上町", for: "野上")
        return tree
    }()

    static func registration(
        _ id: String, sex: CaseEvent.Person.Sex = .female, born: LocalDate = LocalDate(1944, 5, 12), height: Int? = 148,
        area: String? = nil, places: [Registration.Place] = [], features: [String] = [], notes: [String] = [], hair: String? = nil
    ) -> Registration {
        Registration(
            id: RegistrationID(id),
            person: .init(
                name: "名前\(id)", nameKana: "なまえ", sex: sex, dateOfBirth: born, heightCm: height, hair: hair, features: features,
                residenceArea: area),
            frequentedPlaces: places, careNotes: notes, registrant: .init(name: "届出者", phone: "090-0000-0000"),
            registeredOn: LocalDate(2026, 4, 1))
    }

    func rank(_ registrations: [Registration], _ found: RegistryCandidates.Description) -> [RegistryCandidates.Candidate] {
        RegistryCandidates.rank(registrations, found: found, on: Self.today, areas: Self.areas)
    }

    // The combinations: each side of each item takes every value that means something different.
    static let foundSexes: [CaseEvent.Person.Sex?] = [nil, .female, .male, .other, .unknown]
    static let registeredSexes: [CaseEvent.Person.Sex] = [.female, .male, .other, .unknown]
    static let foundAges: [ClosedRange<Int>?] = [nil, 80...85, 75...79, 82...82, 83...90]
    static let foundHeights: [ClosedRange<Int>?] = [nil, 140...155, 150...160, 148...148]
    static let registeredHeights: [Int?] = [nil, 148, 160]
    static let foundAreas: [String?] = [nil, "野上", "紀美野町野上", "美里", "動木", "紀美野町", "大阪市"]
    static let registeredAreas: [(String?, [Registration.Place])] = [
        (nil, []), ("野上", []), ("野上町", []), ("美里", []), ("どこか", []), (nil, [.init(name: "道の駅", area: "美里")]),
        ("野上", [.init(name: "公園", area: nil)]),
    ]

    /// The rule once more, item by item: nil excludes, otherwise the points.
    static func expected(
        found: RegistryCandidates.Description, sex: CaseEvent.Person.Sex, age: Int, height: Int?, areas registered: [String]
    ) -> Int? {
        var points = 0
        if let s = found.sex, s == .female || s == .male, sex == .female || sex == .male {
            if s != sex { return nil }
            points += 1
        }
        if let range = found.age {
            if !range.contains(age) { return nil }
            points += 1
        }
        if let range = found.heightCm, let height {
            if !range.contains(height) { return nil }
            points += 1
        }
        // 野上 ⊃ 動木; 紀美野町 contains all three and 野上町 is 野上's old name; 大阪市 and どこか are unknown.
        func place(_ text: String) -> String? {
            switch text {
            case "野上", "紀美野町野上", "野上町": "野上"
            case "美里": "美里"
            case "動木": "動木"
            case "紀美野町": "紀美野町"
            default: nil
            }
        }
        func overlap(_ a: String, _ b: String) -> Bool {
            a == b || a == "紀美野町" || b == "紀美野町" || Set([a, b]) == ["野上", "動木"]
        }
        if let where_ = found.area.flatMap(place), registered.compactMap(place).contains(where: { overlap($0, where_) }) { points += 1 }
        return points
    }

    @Test("every combination of sex, age, height and area on both sides agrees with the rule written out again")
    func everyCombination() {
        var checked = 0
        for foundSex in Self.foundSexes {
            for foundAge in Self.foundAges {
                for foundHeight in Self.foundHeights {
                    for foundArea in Self.foundAreas {
                        let found = RegistryCandidates.Description(sex: foundSex, age: foundAge, heightCm: foundHeight, area: foundArea)
                        var registrations: [Registration] = []
                        var expected: [RegistrationID: Int] = [:]
                        for (i, sex) in Self.registeredSexes.enumerated() {
                            for (j, height) in Self.registeredHeights.enumerated() {
                                for (k, (area, places)) in Self.registeredAreas.enumerated() {
                                    let r = Self.registration("R\(i)-\(j)-\(k)", sex: sex, height: height, area: area, places: places)
                                    registrations.append(r)
                                    let age = r.person.age(on: Self.today)
                                    if let points = Self.expected(
                                        found: found, sex: sex, age: age, height: height,
                                        areas: ([area] + places.map(\.area)).compactMap { $0 })
                                    {
                                        expected[r.id] = points
                                    }
                                }
                            }
                        }
                        let ranked = rank(registrations, found)
                        let actual = Dictionary(uniqueKeysWithValues: ranked.map { ($0.id, $0.score) })
                        #expect(actual == expected, "\(found)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 5 * 5 * 4 * 7)
    }

    @Test("what was given and missing on the registration's side neither excludes nor scores; given nothing, everyone, with no points")
    func missingOnEitherSide() {
        let noHeight = Self.registration("R1", height: nil)
        let found = RegistryCandidates.Description(heightCm: 100...110)
        #expect(rank([noHeight], found).map(\.score) == [0])
        #expect(rank([noHeight, Self.registration("R2")], .init()).map(\.score) == [0, 0])
        let other = Self.registration("R3", sex: .other)
        #expect(rank([other], .init(sex: .male)).map(\.score) == [0], "other and unknown are not compared")
        #expect(rank([Self.registration("R4")], .init(sex: .unknown)).map(\.score) == [0])
    }

    @Test("features are found in the description and the care notes after NFKC, katakana as hiragana, each counting once")
    func features() {
        let r = Self.registration(
            "R1", features: ["右ほほにほくろ", "ＪＡの帽子"], notes: ["ステッキを使って歩く"], hair: "白髪まじりの短髪")
        let found = RegistryCandidates.Description(features: ["ほくろ", "ja", "すてっき", "ｽﾃｯｷ", "白髪", "杖", "  "])
        let candidate = rank([r], found).first
        #expect(
            candidate?.matches == [.feature(0), .feature(1), .feature(2), .feature(3), .feature(4)], "\(String(describing: candidate))")
        #expect(rank([Self.registration("R2")], .init(features: ["杖"])).map(\.score) == [0], "a feature not registered does not exclude")
    }

    @Test("the best match first, then by id; a person far from home is still a candidate; the frequented places' areas count")
    func order() {
        let registrations = [
            Self.registration("R2026-0003", area: "美里"),
            Self.registration("R2026-0001", area: "美里", features: ["杖を使う"]),
            Self.registration("R2026-0002", area: nil, places: [.init(name: "JA紀美野 野上支所", area: "野上")], features: ["杖"]),
            Self.registration("R2026-0004", sex: .male, area: "野上"),
            Self.registration("R2026-0005", born: LocalDate(1960, 1, 1), area: "野上"),
        ]
        let ranked = rank(registrations, .init(sex: .female, age: 75...90, heightCm: 140...155, area: "紀美野町野上", features: ["杖"]))
        #expect(ranked.map(\.id.rawValue) == ["R2026-0002", "R2026-0001", "R2026-0003"])
        #expect(ranked.map(\.score) == [5, 4, 3])
        #expect(ranked[0].matches == [.sex, .age, .height, .area, .feature(0)])
        #expect(ranked[0].name == "名前R2026-0002")
    }

    @Test("ages are full years on the day of the search: the birthday itself, and 2/29 on 2/28 of a common year")
    func ageOnTheDay() {
        let leap = Self.registration("R1", born: LocalDate(1944, 2, 29))
        func found(_ day: LocalDate, _ age: Int) -> Bool {
            !RegistryCandidates.rank([leap], found: .init(age: age...age), on: day, areas: Self.areas).isEmpty
        }
        #expect(found(LocalDate(2027, 2, 27), 82) && found(LocalDate(2027, 2, 28), 83) && found(LocalDate(2028, 2, 28), 83))
        #expect(found(LocalDate(2028, 2, 29), 84))
    }
}

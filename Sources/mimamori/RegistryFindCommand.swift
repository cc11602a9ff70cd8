import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriService

/// `mimamori registry find --sex F --age 75-90 --height 140-155 [--area 野上] [--feature 杖]`:
/// a person was found whose identity is unknown (要綱 第3条第4号): the registered persons who may
/// be that person, best match first, ids and names only (the rest is `registry sheet` for the
/// police). The rule is `RegistryCandidates.rank`: an item not given, or not registered, neither
/// excludes nor counts; a registration whose sex, age or height contradicts what is given is no
/// candidate; area and features only count.
struct RegistryFindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find", abstract: "Candidates for a person found whose identity is unknown (ranked; ids and names only).")

    @Option(help: "Sex: F or M (女 / 男, female / male).")
    var sex: String?

    @Option(help: "Estimated age: 80, or a range 75-90.")
    var age: String?

    @Option(help: "Estimated height in cm: 150, or a range 140-155.")
    var height: String?

    @Option(help: "Where the person was found (an area: 野上, 紀美野町美里).")
    var area: String?

    @Option(help: "A word seen on the person (杖, ほくろ); may be given several times.")
    var feature: [String] = []

    @OptionGroup var options: RegistryOptions

    func validate() throws {
        guard sex != nil || age != nil || height != nil || area != nil || !feature.isEmpty else {
            throw ValidationError("give at least one of --sex, --age, --height, --area, --feature")
        }
        _ = try description()
    }

    func description() throws -> RegistryCandidates.Description {
        var found = RegistryCandidates.Description(area: area, features: feature)
        if let sex {
            guard let parsed = RegistrationFile.sex(sex), parsed == .female || parsed == .male else {
                throw ValidationError("--sex must be F or M (女 / 男), not '\(sex)'")
            }
            found.sex = parsed
        }
        if let age {
            guard let range = Self.range(age), range.lowerBound >= 0, range.upperBound <= 130 else {
                throw ValidationError("--age must be a number or a range such as 75-90")
            }
            found.age = range
        }
        if let height {
            guard let range = Self.range(height), range.lowerBound >= 50, range.upperBound <= 250 else {
                throw ValidationError("--height must be centimetres, a number or a range such as 140-155")
            }
            found.heightCm = range
        }
        return found
    }

    /// `80`, `75-90`, `75〜90` (full-width digits too).
    static func range(_ text: String) -> ClosedRange<Int>? {
        let s = text.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
        let parts = s.split(omittingEmptySubsequences: false, whereSeparator: { "-~〜".contains($0) })
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count else { return nil }
        switch numbers.count {
        case 1: return numbers[0]...numbers[0]
        case 2 where numbers[0] <= numbers[1]: return numbers[0]...numbers[1]
        default: return nil
        }
    }

    func run() async throws {
        let found = try description()
        let (configuration, registry) = try await options.open()
        let today = townToday()
        let registrations = try await registryCall { () async throws(RegistryError) in try await registry.all() }
        let candidates = RegistryCandidates.rank(registrations, found: found, on: today, areas: configuration.areas)
        var criteria: [String] = []
        if found.sex != nil { criteria.append("sex") }
        if found.age != nil { criteria.append("age") }
        if found.heightCm != nil { criteria.append("height") }
        if found.area != nil { criteria.append("area") }
        if !found.features.isEmpty { criteria.append("feature×\(found.features.count)") }
        try await registryCall { () async throws(RegistryError) in
            try await registry.audit(
                RegistryAuditEntry(
                    action: "find", registrationID: nil, at: Date(), by: ResendCommand.invoker(),
                    reason: "criteria=\(criteria.joined(separator: ",")) candidates=\(candidates.count)"))
        }
        guard !candidates.isEmpty else {
            print("条件に合う登録者はいません（登録 \(registrations.count) 件を比べました）。年齢や身長は幅を持たせて（--age 70-90）もう一度試してください。")
            throw ExitCode.failure
        }
        print("候補 \(candidates.count) 人（一致した項目の多い順。年齢は \(today.year)年\(today.month)月\(today.day)日現在）")
        for (rank, candidate) in candidates.enumerated() {
            let matched = candidate.matches.map { match in
                switch match {
                case .sex: "性別"
                case .age: "年齢"
                case .height: "身長"
                case .area: "地区"
                case .feature(let index): "特徴「\(found.features[index])」"
                }
            }
            print(
                "  \(rank + 1). \(candidate.id)　\(candidate.name)　"
                    + (matched.isEmpty ? "（矛盾する項目はないが、一致した項目もない）" : "（一致: \(matched.joined(separator: "・"))）"))
        }
        print("警察に回答するときは: mimamori registry sheet 台帳番号 --out 回答.pdf --by 照会者 --reason 照会の理由")
    }
}

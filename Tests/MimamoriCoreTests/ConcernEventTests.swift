import Foundation
import Testing

@testable import MimamoriCore

/// `mimamori.concern/1` as intake decodes it: the samples, every required field, every shape a
/// field must have, and reasons that name fields, never values.
@Suite("Concern event decoding")
struct ConcernEventTests {
    /// Every value of the sample report a reason might leak.
    static let personalData = [
        "美作 一郎", "勝田のJA支所付近", "毎朝同じ服装", "ほっとマート勝田店", "作東 花子", "0868-75-0000", "tenpo@hotmart.example.jp",
        "勝田", "訪問し",
    ]

    static func reason(_ object: [String: Any]) -> String? {
        guard let body = try? JSONSerialization.data(withJSONObject: object) else { return "the test's JSON" }
        do throws(CaseEventError) {
            _ = try ConcernEvent.decode(body)
            return nil
        } catch {
            return error.reason
        }
    }

    /// `object` with the value at a dotted `path` set (nil removes it).
    static func setting(_ path: String, to value: Any?, in object: [String: Any]) -> [String: Any] {
        var object = object
        let keys = path.split(separator: ".").map(String.init)
        if keys.count == 1 {
            object[keys[0]] = value
        } else {
            let inner = object[keys[0]] as? [String: Any] ?? [:]
            object[keys[0]] = setting(keys.dropFirst().joined(separator: "."), to: value, in: inner)
        }
        return object
    }

    @Test func theSampleReportDecodes() throws {
        let e = try ConcernSample.reported()
        #expect(e.kind == .reported && e.reportID == CaseID("MS-C-2026-0007") && e.sequence == 1)
        #expect(e.municipality == "mimasaka" && !e.drill)
        #expect(e.subject == ConcernEvent.Subject(name: "美作 一郎", address: "勝田のJA支所付近", area: "勝田"))
        #expect(e.observation?.hasPrefix("ここ1週間ほど") == true)
        #expect(!e.urgent && !e.consent && e.result == nil)
        #expect(
            e.reporter
                == ConcernEvent.Reporter(
                    organization: "ほっとマート勝田店（架空）", name: "作東 花子", phone: "0868-75-0000", email: "tenpo@hotmart.example.jp"))
        #expect(e.issuedAt == Timestamp.parse("2026-12-02T10:20:00+09:00"))
    }

    @Test func theSampleResultDecodes() throws {
        let e = try ConcernSample.resolved()
        #expect(e.kind == .resolved && e.reportID == CaseID("MS-C-2026-0007") && e.sequence == 2)
        #expect(e.result?.hasPrefix("12月3日に勝田地域ステーションの職員が訪問し") == true)
        #expect(e.subject == nil && e.reporter == nil && e.observation == nil)
    }

    static let requiredOfReported = [
        "schema", "messageId", "reportId", "sequence", "kind", "issuedAt", "municipality", "subject", "observation", "urgent", "consent",
        "reporter", "reporter.organization", "reporter.phone",
    ]

    @Test(arguments: requiredOfReported)
    func everyRequiredFieldOfAReport(_ path: String) throws {
        let sample = try ConcernSample.json("concern-reported.json")
        #expect(Self.reason(Self.setting(path, to: nil, in: sample)) == "field.missing:\(path)")
        // null is absent (except for the schema, which must name one).
        #expect(
            Self.reason(Self.setting(path, to: NSNull(), in: sample)) == (path == "schema" ? "schema.unknown" : "field.missing:\(path)"))
    }

    @Test(arguments: ["subject.name", "subject.address", "subject.area", "reporter.name", "reporter.email", "reporter.fax"])
    func optionalFieldsOfAReport(_ path: String) throws {
        let sample = try ConcernSample.json("concern-reported.json")
        #expect(Self.reason(Self.setting(path, to: nil, in: sample)) == nil)
    }

    @Test func aSubjectNobodyKnowsAnythingAboutIsStillAReport() throws {
        var sample = try ConcernSample.json("concern-reported.json")
        sample["subject"] = [String: Any]()
        let e = try ConcernEvent.decode(try JSONSerialization.data(withJSONObject: sample))
        #expect(e.subject == ConcernEvent.Subject())
    }

    @Test(arguments: ["schema", "messageId", "reportId", "sequence", "kind", "issuedAt", "municipality", "result"])
    func everyRequiredFieldOfAResult(_ path: String) throws {
        let sample = try ConcernSample.json("concern-resolved.json")
        #expect(Self.reason(Self.setting(path, to: nil, in: sample)) == "field.missing:\(path)")
    }

    @Test func aResultBelongsToResolvedOnly() throws {
        let sample = try ConcernSample.json("concern-reported.json")
        #expect(Self.reason(Self.setting("result", to: "訪問しました。", in: sample)) == "field.unexpected:result")
        #expect(CaseEventError.unexpected(field: "result").operatorHint.contains("result"))
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var testDescription: String { "\(path) = \(label)" }
        var path: String
        var label: String
        var value: @Sendable () -> Any
        var reason: String
        var sample = "concern-reported.json"
    }

    static let longText = String(repeating: "あ", count: ConcernEvent.maxNarrative + 1)

    static let broken: [Broken] = [
        Broken(path: "reporter.phone", label: "letters", value: { "でんわ" }, reason: "field.invalid:reporter.phone"),
        Broken(path: "reporter.phone", label: "an extension", value: { "0868-75-0000 内線3" }, reason: "field.invalid:reporter.phone"),
        Broken(path: "reporter.phone", label: "a number", value: { 868_750_000 }, reason: "field.type:reporter.phone"),
        Broken(path: "reporter.email", label: "no @", value: { "tenpo.hotmart.example.jp" }, reason: "field.invalid:reporter.email"),
        Broken(
            path: "reporter.email", label: "a display name", value: { "店 <tenpo@hotmart.example.jp>" },
            reason: "field.invalid:reporter.email"),
        Broken(path: "reporter.fax", label: "too few digits", value: { "0868-75" }, reason: "field.invalid:reporter.fax"),
        Broken(path: "reporter.fax", label: "an email", value: { "tenpo@hotmart.example.jp" }, reason: "field.invalid:reporter.fax"),
        Broken(path: "observation", label: "a line break", value: { "店の前で\n座り込んでいる" }, reason: "field.control-character:observation"),
        Broken(
            path: "observation", label: "a bidi override", value: { "店の前で\u{202E}座り込んでいる" }, reason: "field.control-character:observation"),
        Broken(path: "subject.name", label: "a tab", value: { "美作\t一郎" }, reason: "field.control-character:subject.name"),
        Broken(path: "subject.address", label: "a NUL", value: { "勝田\u{0}付近" }, reason: "field.control-character:subject.address"),
        Broken(
            path: "reporter.name", label: "a line separator", value: { "作東\u{2028}花子" }, reason: "field.control-character:reporter.name"),
        Broken(path: "reporter.organization", label: "blank", value: { "　 " }, reason: "field.missing:reporter.organization"),
        Broken(path: "observation", label: "401 characters", value: { longText }, reason: "field.too-long:observation"),
        Broken(
            path: "subject.name", label: "101 characters", value: { String(repeating: "名", count: 101) },
            reason: "field.too-long:subject.name"),
        Broken(
            path: "subject.address", label: "201 characters", value: { String(repeating: "所", count: 201) },
            reason: "field.too-long:subject.address"),
        Broken(path: "urgent", label: "a word", value: { "はい" }, reason: "field.type:urgent"),
        Broken(path: "consent", label: "a number", value: { 1 }, reason: "field.type:consent"),
        Broken(path: "subject", label: "a text", value: { "美作 一郎" }, reason: "field.type:subject"),
        Broken(path: "reporter", label: "a list", value: { ["作東 花子"] }, reason: "field.type:reporter"),
        Broken(path: "kind", label: "a case's kind", value: { "opened" }, reason: "field.range:kind"),
        Broken(path: "sequence", label: "0", value: { 0 }, reason: "field.range:sequence"),
        Broken(path: "reportId", label: "a free text", value: { "勝田の件" }, reason: "field.invalid:reportId"),
        Broken(path: "messageId", label: "not a UUID", value: { "report-7" }, reason: "field.invalid:messageId"),
        Broken(path: "municipality", label: "in capitals", value: { "Mimasaka" }, reason: "field.invalid:municipality"),
        Broken(path: "issuedAt", label: "without an offset", value: { "2026-12-02T10:20:00" }, reason: "field.time:issuedAt"),
        Broken(path: "schema", label: "the case schema", value: { "mimamori.case/1" }, reason: "schema.unknown"),
        Broken(path: "schema", label: "a later version", value: { "mimamori.concern/2" }, reason: "schema.unknown"),
        Broken(
            path: "result", label: "401 characters", value: { longText }, reason: "field.too-long:result", sample: "concern-resolved.json"),
        Broken(
            path: "result", label: "a line break", value: { "訪問しました。\r\nご連絡ありがとうございました。" },
            reason: "field.control-character:result", sample: "concern-resolved.json"),
    ]

    @Test(arguments: broken)
    func everyBadShapeIsRefusedByItsPath(_ b: Broken) throws {
        let sample = try ConcernSample.json(b.sample)
        let reason = Self.reason(Self.setting(b.path, to: b.value(), in: sample))
        #expect(reason == b.reason)
        for value in Self.personalData { #expect(reason?.contains(value) != true, "the reason holds \(value)") }
    }

    @Test func theLongestNarrativeIsAccepted() throws {
        let text = String(repeating: "あ", count: ConcernEvent.maxNarrative)
        let sample = try ConcernSample.json("concern-reported.json")
        #expect(Self.reason(Self.setting("observation", to: text, in: sample)) == nil)
        let resolved = try ConcernSample.json("concern-resolved.json")
        #expect(Self.reason(Self.setting("result", to: text, in: resolved)) == nil)
    }

    @Test func phoneNumbersAsPeopleWriteThem() throws {
        let sample = try ConcernSample.json("concern-reported.json")
        for phone in ["0868-75-0000", "０８６８－７５－００００", "(0868) 75 0000", "+81-868-75-0000", "090-1234-5678"] {
            #expect(Self.reason(Self.setting("reporter.phone", to: phone, in: sample)) == nil, "\(phone)")
        }
    }

    /// The sample with every value of the reporter and the subject replaced by a marker: no
    /// reason of any failure the decoder can give holds one.
    @Test func reasonsNeverHoldAValue() throws {
        let sample = try ConcernSample.json("concern-reported.json")
        var failures: [String] = []
        for b in Self.broken {
            let base = b.sample == "concern-reported.json" ? sample : try ConcernSample.json(b.sample)
            if let reason = Self.reason(Self.setting(b.path, to: b.value(), in: base)) { failures.append(reason) }
        }
        for path in Self.requiredOfReported {
            if let reason = Self.reason(Self.setting(path, to: nil, in: sample)) { failures.append(reason) }
        }
        #expect(failures.count == Self.broken.count + Self.requiredOfReported.count)
        let shape = /^[a-z-]+\.[a-z-]+(:[A-Za-z.]+)?$/
        for reason in failures { #expect(reason.wholeMatch(of: shape) != nil, "\(reason)") }
    }

    @Test func aConcernIsNotACaseAndACaseIsNotAConcern() throws {
        let concern = Data(try ConcernSample.text("concern-reported.json").utf8)
        #expect(throws: CaseEventError.unknownSchema) { try CaseEvent.decode(concern) }
        let envelope = try EventEnvelope.open(concern)
        #expect(envelope.schema == .concern)
        let opened = try Files.fixture("event-opened.json")
        #expect(throws: CaseEventError.unknownSchema) { try ConcernEvent.decode(opened) }
    }
}

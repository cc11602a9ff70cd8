import Foundation
import HostileCorpus
import MimamoriCore
import TestFixtures
import Testing

/// `docs/schema/mimamori.concern-1.schema.json`, for a city's own intake (a web form) that
/// publishes concern reports, judged by python3-jsonschema beside `ConcernEvent.decode` as the
/// case schema is: every concern sample of the repository is valid, and on hostile variants of
/// them the schema accepts exactly what the decoder accepts and refuses what it refuses.
@Suite("integration: the concern report JSON Schema against the decoder (python3-jsonschema)")
struct IntegrationConcernSchemaTests {
    static let judge = SchemaJudge(schemaName: "mimamori.concern/1") { body throws(CaseEventError) in _ = try ConcernEvent.decode(body) }
    static var schema: String { judge.schema }
    typealias Verdict = SchemaJudge.Verdict

    static func samples() throws -> [URL] { judge.samples() }
    static func schemaVerdicts(_ files: [String]) throws -> [String: String] { try judge.schemaVerdicts(files) }

    static func draft(_ sample: String) throws -> HostileCorpus.Draft {
        var draft = HostileCorpus.Draft.opened()
        draft.json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: SchemaJudge.root.appendingPathComponent("config/samples/\(sample)")))
                as? [String: Any])
        return draft
    }

    @Test("the schema is a valid draft 2020-12 schema; every concern sample is valid by it and accepted by the decoder")
    func samplesAreValid() throws {
        let check = try runProcess(
            "/usr/bin/python3",
            [
                "-c", "import json, sys, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))",
                Self.schema,
            ])
        #expect(check.status == 0, "the schema is not a valid draft 2020-12 schema: \(check.stderr)")
        let samples = try Self.samples()
        #expect(Set(samples.map(\.lastPathComponent)).isSuperset(of: ["concern-reported.json", "concern-resolved.json"]))
        let verdicts = try Self.schemaVerdicts(samples.map(\.path))
        for sample in samples {
            #expect(verdicts[sample.path] == "valid", "\(sample.path): \(verdicts[sample.path] ?? "no verdict")")
            #expect(Self.judge.verdict(Array(try Data(contentsOf: sample))) == .accepted, "the decoder refuses \(sample.path)")
        }
        print("integration-concern-schema | samples | \(samples.count) valid: \(samples.map(\.lastPathComponent).joined(separator: " "))")
    }

    @Test("on hostile variants of the samples the schema and the decoder agree")
    func schemaAgreesWithTheDecoder() throws {
        let cases = try Self.edgeCases()
        let folder = try ServerProcess.temporaryDirectory("concern-schema")
        defer { try? FileManager.default.removeItem(at: folder) }
        var judged: [(label: String, path: String, verdict: Verdict)] = []
        for (index, (label, draft)) in cases.enumerated() {
            let verdict = Self.judge.verdict(draft.bytes)
            if case .bodyReason = verdict { continue }
            let path = folder.appendingPathComponent("\(index).json").path
            try Data(draft.bytes).write(to: URL(fileURLWithPath: path))
            judged.append((label, path, verdict))
        }
        let verdicts = try Self.schemaVerdicts(judged.map(\.path))
        var agreed = (accepted: 0, refused: 0)
        for item in judged {
            let schemaSays = verdicts[item.path] ?? "no verdict"
            switch item.verdict {
            case .accepted:
                #expect(schemaSays == "valid", "\(item.label): the decoder accepts it, the schema says \(schemaSays)")
                if schemaSays == "valid" { agreed.accepted += 1 }
            case .schemaReason(let reason):
                #expect(schemaSays.hasPrefix("invalid"), "\(item.label): the decoder refuses it (\(reason)), the schema says \(schemaSays)")
                if schemaSays.hasPrefix("invalid") { agreed.refused += 1 }
            case .bodyReason:
                break
            }
        }
        // Where the schema is stricter on purpose: it takes the half-width forms of an address
        // only, where the daemon also reads full-width ones.
        let reported = try Self.draft("concern-reported.json")
        let stricter: [(String, HostileCorpus.Draft)] = [
            ("full-width email", reported.setting("reporter.email", "ｔｅｎｐｏ＠ｈｏｔｍａｒｔ．ｅｘａｍｐｌｅ．ｊｐ")),
            ("full-width fax", reported.setting("reporter.fax", "０８６８－７５－００００")),
        ]
        var stricterPaths: [String] = []
        for (index, (label, draft)) in stricter.enumerated() {
            #expect(Self.judge.verdict(draft.bytes) == .accepted, "\(label): the decoder refuses it now; move it to edgeCases()")
            let path = folder.appendingPathComponent("stricter-\(index).json").path
            try Data(draft.bytes).write(to: URL(fileURLWithPath: path))
            stricterPaths.append(path)
        }
        let stricterVerdicts = try Self.schemaVerdicts(stricterPaths)
        for (path, (label, _)) in zip(stricterPaths, stricter) {
            #expect(stricterVerdicts[path]?.hasPrefix("invalid") == true, "\(label): \(stricterVerdicts[path] ?? "no verdict")")
        }
        #expect(agreed.accepted >= 15 && agreed.refused >= 30, "\(agreed)")
        print(
            "integration-concern-schema | edges | \(judged.count) bodies judged: \(agreed.accepted) accepted by both, \(agreed.refused) refused by both"
        )
    }

    /// Where a hand-written schema and the decoder could part: the kind's conditions, silence
    /// for urgent and consent, null for absent, lengths, the reporter's phone, e-mail and FAX.
    static func edgeCases() throws -> [(String, HostileCorpus.Draft)] {
        let reported = try draft("concern-reported.json")
        let resolved = try draft("concern-resolved.json")
        return [
            ("reported as is", reported),
            ("resolved as is", resolved),
            ("schema of a case", reported.setting("schema", "mimamori.case/1")),
            ("no messageId", reported.setting("messageId", nil)),
            ("messageId not a UUID", reported.setting("messageId", "report-1")),
            ("no reportId", reported.setting("reportId", nil)),
            ("reportId with a slash", reported.setting("reportId", "MS/C/7")),
            ("reportId of 64", reported.setting("reportId", String(repeating: "A", count: 64))),
            ("reportId of 65", reported.setting("reportId", String(repeating: "A", count: 65))),
            ("reportId padded", reported.setting("reportId", " MS-C-7\u{3000}")),
            ("sequence 0", reported.setting("sequence", 0)),
            ("sequence as text", reported.setting("sequence", "1")),
            ("kind opened", reported.setting("kind", "opened")),
            ("kind padded", reported.setting("kind", " reported ")),
            ("issuedAt without offset", reported.setting("issuedAt", "2026-12-02T10:20:00")),
            ("municipality upper case", reported.setting("municipality", "Mimasaka")),
            ("drill true", reported.setting("drill", true)),
            ("drill as text", reported.setting("drill", "true")),
            ("no subject", reported.setting("subject", nil)),
            ("subject null", reported.setting("subject", NSNull())),
            ("subject empty", reported.setting("subject", [String: Any]())),
            ("subject as text", reported.setting("subject", "美作 一郎")),
            ("subject without a name", reported.setting("subject.name", nil)),
            ("subject.name of 100", reported.setting("subject.name", String(repeating: "美", count: 100))),
            ("subject.name of 101", reported.setting("subject.name", String(repeating: "美", count: 101))),
            ("subject.address of 201", reported.setting("subject.address", String(repeating: "付", count: 201))),
            ("subject.area null", reported.setting("subject.area", NSNull())),
            ("no observation", reported.setting("observation", nil)),
            ("observation blank", reported.setting("observation", "\u{3000}")),
            ("observation of 400", reported.setting("observation", String(repeating: "様", count: 400))),
            ("observation of 401", reported.setting("observation", String(repeating: "様", count: 401))),
            ("observation with a line break", reported.setting("observation", "来店時に\n様子が違う")),
            ("observation with a bidi override", reported.setting("observation", "来店時に\u{202E}様子が違う")),
            ("no urgent", reported.setting("urgent", nil)),
            ("urgent null", reported.setting("urgent", NSNull())),
            ("urgent as text", reported.setting("urgent", "はい")),
            ("urgent true", reported.setting("urgent", true)),
            ("no consent", reported.setting("consent", nil)),
            ("consent 1", reported.setting("consent", 1)),
            ("consent true", reported.setting("consent", true)),
            ("no reporter", reported.setting("reporter", nil)),
            ("reporter without organization", reported.setting("reporter.organization", nil)),
            ("reporter without name", reported.setting("reporter.name", nil)),
            ("reporter without phone", reported.setting("reporter.phone", nil)),
            ("phone with dots", reported.setting("reporter.phone", "0868.75.0000")),
            ("phone full-width", reported.setting("reporter.phone", "０８６８－７５－００００")),
            ("phone of 31", reported.setting("reporter.phone", String(repeating: "0", count: 31))),
            ("phone only, no email", reported.setting("reporter.email", nil)),
            ("email without a dot in the domain", reported.setting("reporter.email", "tenpo@localhost")),
            ("email with two @", reported.setting("reporter.email", "a@b@example.jp")),
            ("email with a space inside", reported.setting("reporter.email", "ten po@example.jp")),
            ("email padded", reported.setting("reporter.email", " tenpo@hotmart.example.jp ")),
            ("email with a double dot", reported.setting("reporter.email", "ten..po@example.jp")),
            ("email label ending in -", reported.setting("reporter.email", "tenpo@hotmart-.example.jp")),
            ("fax", reported.setting("reporter.fax", "0868-75-0001")),
            ("fax +81", reported.setting("reporter.fax", "+81 868 75 0001")),
            ("fax +81 (0)", reported.setting("reporter.fax", "+81 (0)868-75-0001")),
            ("fax in brackets", reported.setting("reporter.fax", "(0868)75-0001")),
            ("fax too short", reported.setting("reporter.fax", "0868-75-01")),
            ("fax too long", reported.setting("reporter.fax", "0868-75-000123")),
            ("fax 00", reported.setting("reporter.fax", "00868-75-0001")),
            ("fax with letters", reported.setting("reporter.fax", "0868-75-FAX1")),
            ("result in a report", reported.setting("result", "訪問しました。")),
            ("result null in a report", reported.setting("result", NSNull())),
            ("resolved without result", resolved.setting("result", nil)),
            ("resolved with result blank", resolved.setting("result", " ")),
            ("resolved with result of 401", resolved.setting("result", String(repeating: "訪", count: 401))),
            ("resolved with the report's details", resolved.setting("subject", ["name": "美作 一郎"]).setting("urgent", false)),
            ("resolved with a broken reporter", resolved.setting("reporter", ["organization": "店"])),
            ("resolved with urgent as text", resolved.setting("urgent", "no")),
            ("unknown field", reported.setting("futureField", ["a": 1])),
            ("unknown field in reporter", reported.setting("reporter.futureField", "x")),
        ]
    }
}

import Foundation
import Testing

@testable import MimamoriCore

/// Fixtures and golden files are found next to this source file (there are no resource bundles).
enum Files {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(name))
    }

    static func fixtureText(_ name: String) throws -> String {
        String(decoding: try fixture(name), as: UTF8.self)
    }

    /// Compares `actual` with `Golden/<name>`; `MIMAMORI_UPDATE_GOLDEN=1` rewrites the file instead.
    static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = testsDirectory.appendingPathComponent("Golden").appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MIMAMORI_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("golden file \(name) is missing: run with MIMAMORI_UPDATE_GOLDEN=1 and review it", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "differs from Golden/\(name)", sourceLocation: sourceLocation)
    }
}

/// The sample case and settings shared by the tests.
enum Sample {
    static func configuration() throws -> Configuration {
        try Configuration.parse(yaml: try Files.fixtureText("mimamori.yaml"))
    }

    static func directory() throws -> CooperatorDirectory {
        try CooperatorDirectory.load(csv: try Files.fixture("cooperators.csv")).directory
    }

    static func opened() throws -> CaseEvent { try CaseEvent.decode(try Files.fixture("event-opened.json")) }

    static func closed() throws -> CaseEvent { try CaseEvent.decode(try Files.fixture("event-closed.json")) }

    static func planner() throws -> Planner { Planner(configuration: try configuration(), directory: try directory()) }

    /// 2026-11-27 (Friday) 16:05 JST.
    static let now = at("2026-11-27T16:05:00+09:00")

    static func at(_ text: String) -> Date { Timestamp.parse(text)! }

    /// The sample event as a mutable JSON object, for tests that break one field.
    static func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try Files.fixture("event-opened.json")) as! [String: Any]
    }

    static func bytes(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    static func event(
        sequence: Int, kind: CaseEvent.Kind = .updated, drill: Bool = false, consent: CaseEvent.Consent? = nil,
        messageID: UUID = UUID(), base: CaseEvent? = nil
    ) throws -> CaseEvent {
        var e = try base ?? opened()
        e.messageID = messageID
        e.sequence = sequence
        e.kind = kind
        e.drill = drill
        if let consent { e.consent = consent }
        if kind == .closed { e.closure = .init(at: now, reason: .found) }
        return e
    }
}

import Foundation
import MimamoriCore
import TestFixtures

/// What the integration schema tests share: one event schema's file, the repository's samples of
/// it, the schema's verdicts through the reference publisher, and the decoder's verdict.
struct SchemaJudge {
    static let root = ServerProcess.repositoryRoot
    static let publisher = root.appendingPathComponent("examples/python/mimamori_publish.py").path

    /// `mimamori.case/1`, as the schema file is named (`mimamori.case-1.schema.json`).
    let schemaName: String
    /// The decoder the schema is judged beside.
    let decode: @Sendable ([UInt8]) throws(CaseEventError) -> Void

    var schema: String {
        Self.root.appendingPathComponent("docs/schema/\(schemaName.replacingOccurrences(of: "/", with: "-")).schema.json").path
    }

    /// What the decoder makes of a body: accepted, refused for a reason the schema can express,
    /// or refused for one it cannot (not JSON, not UTF-8, a key twice, too deep, too large).
    enum Verdict: Equatable {
        case accepted
        case schemaReason(String)
        case bodyReason(String)
    }

    func verdict(_ body: [UInt8]) -> Verdict {
        do {
            try decode(body)
            return .accepted
        } catch {
            return error.reason.hasPrefix("body.") ? .bodyReason(error.reason) : .schemaReason(error.reason)
        }
    }

    /// Every `*.json` of the repository holding an event of this schema, wherever it lives.
    func samples() -> [URL] {
        let skipped: Set<String> = [".build", ".git", ".run", ".swiftpm"]
        guard let walk = FileManager.default.enumerator(at: Self.root, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
        let pattern = #""schema"\s*:\s*""# + NSRegularExpression.escapedPattern(for: schemaName) + "\""
        var found: [URL] = []
        for case let url as URL in walk {
            if skipped.contains(url.lastPathComponent) {
                walk.skipDescendants()
                continue
            }
            guard url.pathExtension == "json", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            if text.range(of: pattern, options: .regularExpression) != nil { found.append(url) }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// `mimamori_publish.py --check-only`: the schema's verdict on each file, by path.
    func schemaVerdicts(_ files: [String]) throws -> [String: String] {
        let run = try runProcess("/usr/bin/python3", [Self.publisher, "--check-only", "--schema", schema] + files)
        guard run.status == 0 || run.status == 1 else {
            throw FixtureError(
                "mimamori_publish.py --check-only exited \(run.status) (python3-jsonschema installed? scripts/deps.sh): \(run.stderr)")
        }
        var verdicts: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let colon = line.range(of: ": ") else { continue }
            verdicts[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
        }
        return verdicts
    }
}

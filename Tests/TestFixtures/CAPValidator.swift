import Foundation

/// `Tests/Servers/validate_cap.py`: PyPI `cap-tools` reading CAP 1.2 strictly, an implementation
/// that is not ours, for every suite that checks a CAP document.
public enum CAPValidator {
    /// What cap-tools read back from one document (nil where the document has no such element).
    public struct Verdict: Decodable, Sendable {
        public var file: String
        public var ok: Bool
        public var error: String?
        public var identifier: String?
        public var sender: String?
        public var sent: String?
        public var status: String?
        public var msgType: String?
        public var references: [String]?
        public var incidents: [String]?
        public var headline: String?
        public var description: String?
        public var category: [String]?
        public var language: String?
        public var responseType: [String]?
        public var urgency: String?
        public var expires: String?
    }

    /// One verdict per document, in order.
    public static func validate(_ documents: [String]) throws -> [Verdict] {
        let directory = try ServerProcess.temporaryDirectory("cap")
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, document) in documents.enumerated() {
            let url = directory.appendingPathComponent("\(index).xml")
            try document.write(to: url, atomically: true, encoding: .utf8)
            files.append(url.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ServerProcess.repositoryRoot.appendingPathComponent("Tests/Servers/validate_cap.py").path] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let verdicts = try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
        guard verdicts.count == documents.count else {
            throw FixtureError("validate_cap.py did not answer (cap-tools installed?): \(String(decoding: stderr, as: UTF8.self))")
        }
        return verdicts
    }
}

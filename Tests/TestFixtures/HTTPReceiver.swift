import Foundation

/// A Python HTTP server on loopback (`Tests/Servers/http_receiver.py`) that keeps every request
/// and answers as told: planned statuses first, a delay, a JSON body.
public final class HTTPReceiver: Sendable {
    public struct Options: Sendable {
        public var status = 200
        public var statuses: [Int] = []
        public var body: String?
        public var delay: Double = 0
        public init(status: Int = 200, statuses: [Int] = [], body: String? = nil, delay: Double = 0) {
            self.status = status
            self.statuses = statuses
            self.body = body
            self.delay = delay
        }
    }

    public struct Request: Decodable, Sendable {
        public struct Part: Decodable, Sendable {
            public var name: String?
            public var filename: String?
            public var content_type: String?
            public var size: Int
            public var sha256: String
            public var text: String?
        }
        public var n: Int
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body_base64: String
        public var parts: [Part]?
        public var defects: [String]?

        public var body: Data { Data(base64Encoded: body_base64) ?? Data() }
    }

    private let process: ServerProcess

    public var port: Int { process.port }
    public func url(_ path: String = "/") -> String { "http://127.0.0.1:\(process.port)\(path)" }

    public init(_ options: Options = Options()) throws {
        var arguments = ["--status", "\(options.status)"]
        if !options.statuses.isEmpty { arguments += ["--statuses", options.statuses.map(String.init).joined(separator: ",")] }
        if let body = options.body { arguments += ["--body", body] }
        if options.delay > 0 { arguments += ["--delay", "\(options.delay)"] }
        process = try ServerProcess(
            script: "http_receiver.py", directory: try ServerProcess.temporaryDirectory("http"),
            arguments: arguments)
    }

    public func stop() { process.stop() }

    /// From now on, a request with a multipart part whose text is one of `values` (a FAX number
    /// as the service receives it) is stored and never answered.
    public func hang(on values: [String]) throws {
        try (values.joined(separator: "\n") + "\n").write(
            to: process.directory.appendingPathComponent("hang"), atomically: true, encoding: .utf8)
    }

    public func requests() throws -> [Request] {
        try process.files(withExtension: "json").map {
            try JSONDecoder().decode(Request.self, from: Data(contentsOf: $0))
        }
    }
}

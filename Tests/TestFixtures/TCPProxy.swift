import Foundation

/// A TCP proxy on loopback (`Tests/Servers/tcp_proxy.py`) in front of a server. `hold()` makes it
/// drop what clients send from then on (the server hears nothing more), while the server's
/// bytes still reach the clients; `release()` lets client bytes through again.
public final class TCPProxy: Sendable {
    private let process: ServerProcess

    public var port: Int { process.port }

    public init(to host: String, port: Int) throws {
        process = try ServerProcess(
            script: "tcp_proxy.py", directory: try ServerProcess.temporaryDirectory("proxy"),
            arguments: ["--to", "\(host):\(port)"])
    }

    private var holdFile: URL { process.directory.appendingPathComponent("hold") }

    public func hold() throws {
        guard FileManager.default.createFile(atPath: holdFile.path, contents: Data()) else {
            throw FixtureError("cannot create \(holdFile.path)")
        }
    }

    public func release() { try? FileManager.default.removeItem(at: holdFile) }

    /// Bytes from clients dropped while held.
    public func droppedBytes() -> Int {
        (try? String(contentsOf: process.directory.appendingPathComponent("dropped"), encoding: .utf8))
            .flatMap { Int($0) } ?? 0
    }

    public func stop() { process.stop() }
}

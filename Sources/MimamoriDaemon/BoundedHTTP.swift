import FlyingSocks
import Foundation
import Logging
import MimamoriService
import ServiceLifecycle
import Synchronization
import Timing

/// The small HTTP/1.1 server under the daemon's endpoints (`/metrics`, the confirmation pages):
/// one request per connection, every client's turn bounded, so a slow or flooding client cannot
/// hold an endpoint or the process's file descriptors.
///
/// Each client gets `readTimeout` to send its request (at most `maxRequestBytes` of request line
/// and headers, and a body of at most `maxBodyBytes` announced by `Content-Length`) and then to
/// take the answer; at most `maxConnections` are served at once, one more is answered 503 and
/// closed. (FlyingFox's HTTPServer bounds none of these, so the request is read here on
/// FlyingSocks, FlyingFox's socket layer: a few routes need little of HTTP.)
struct BoundedHTTP: Sendable {
    struct Limits: Sendable {
        /// Request line and headers together; `GET /healthz` needs a few hundred bytes.
        var maxRequestBytes = 8 << 10
        /// A POST's body: a form with a button, or a FAX service's status report.
        var maxBodyBytes = 1 << 10
        /// How long a client may take to send its request, and then to take the answer.
        var readTimeout: Duration = .seconds(2)
        /// Connections served at once.
        var maxConnections = 16
    }

    /// The endpoint's name in its log lines (`metrics.listening`, `confirm.unavailable`) and the
    /// setting that moves it (`metrics.listen`).
    var name: String
    var host: String
    var port: UInt16
    var limits: Limits
    var logger: Logger
    /// Told when the endpoint cannot serve (the port is taken, or accepting failed).
    var onUnavailable: @Sendable () -> Void = {}

    /// Serves `respond` until the daemon shuts down. A port that cannot be taken logs
    /// `<name>.unavailable` and waits for the shutdown: an endpoint is never a condition of
    /// delivering.
    func run(_ respond: @escaping @Sendable (HTTPRequest) async -> HTTPAnswer) async throws {
        let listen = "\(host):\(port)"
        let listener: Socket
        do {
            listener = try Self.listen(host: host, port: port)
        } catch {
            logger.error(
                "\(name).unavailable",
                metadata: .keys([
                    .listen: .string(listen),
                    .reason: .string(
                        "cannot listen (\(error.localizedDescription)); the \(name) endpoint is unreachable, delivering goes on; free the port or change \(name).listen, then restart"
                    ),
                ]))
            onUnavailable()
            // Returning would end the service group: wait for the daemon's own shutdown.
            try? await gracefulShutdown()
            return
        }
        defer { try? listener.close() }
        let pool: some AsyncSocketPool = .make()
        try await pool.prepare()
        let socket = try AsyncSocket(socket: listener, pool: pool)
        logger.info("\(name).listening", metadata: .keys([.listen: .string(listen)]))
        let limits = self.limits
        let open = ConnectionSlots(limit: limits.maxConnections)
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await pool.run() }
                    for try await client in socket.sockets {
                        guard open.take() else {
                            // Best effort, without waiting: the client is told, the slot stays free.
                            _ = try? client.socket.write(Data(HTTPAnswer.text(503, "busy: too many connections\n").bytes))
                            try? client.close()
                            continue
                        }
                        group.addTask {
                            await Self.serve(client, limits: limits, respond: respond)
                            open.give()
                        }
                    }
                }
            }
        } catch {
            // Stopped for the shutdown (cancelled); any other time the endpoint really failed,
            // which must not take the daemon down either.
            if !(Task.isShuttingDownGracefully || Task.isCancelled) {
                logger.error("\(name).unavailable", metadata: .keys([.listen: .string(listen), .reason: .string("\(error)")]))
                onUnavailable()
                try? await gracefulShutdown()
            }
        }
    }

    static func listen(host: String, port: UInt16) throws -> Socket {
        let address = try sockaddr_in.inet(ip4: host == "localhost" ? "127.0.0.1" : host, port: port)
        let socket = try Socket(domain: AF_INET, type: .stream)
        do {
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: address)
            try socket.listen(maxPendingConnection: 64)
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// One request, one answer, then close; the client's whole turn is bounded in time.
    static func serve(
        _ client: AsyncSocket, limits: Limits, respond: @Sendable (HTTPRequest) async -> HTTPAnswer
    ) async {
        defer { try? client.close() }
        let peer: String
        switch try? client.socket.remotePeer() {
        case .ip4(let address, _), .ip6(let address, _): peer = address
        case .unix(let path): peer = path
        case nil: peer = "-"
        }
        let answer: HTTPAnswer
        do {
            let request = try await within(limits.readTimeout) {
                try await readRequest(client, limits: limits, peer: peer)
            }
            answer = await respond(request)
        } catch let refusal as Refusal {
            answer = refusal.answer
        } catch is TimedOut {
            answer = .text(408, "request not received in time\n")
        } catch {
            return  // the client went away
        }
        _ = try? await within(limits.readTimeout) { try await client.write(Data(answer.bytes)) }
    }

    /// The request line, the headers, and the body its `Content-Length` announces.
    static func readRequest(_ client: AsyncSocket, limits: Limits, peer: String) async throws -> HTTPRequest {
        var bytes: [UInt8] = []
        var headEnd: (head: Int, body: Int)?
        while headEnd == nil {
            bytes += try await client.read(atMost: 4096)
            headEnd = Self.headEnd(bytes)
            if headEnd == nil, bytes.count > limits.maxRequestBytes { throw Refusal(.text(431, "request too large\n")) }
        }
        guard let headEnd, headEnd.head <= limits.maxRequestBytes else { throw Refusal(.text(431, "request too large\n")) }
        guard var request = HTTPRequest(head: bytes[..<headEnd.head], peer: peer) else {
            throw Refusal(.text(400, "bad request\n"))
        }
        if request.headers["transfer-encoding"] != nil { throw Refusal(.text(411, "send the body with Content-Length\n")) }
        let length: Int
        if let text = request.headers["content-length"] {
            guard let value = Int(text), value >= 0 else { throw Refusal(.text(400, "bad Content-Length\n")) }
            length = value
        } else {
            length = 0
        }
        guard length <= limits.maxBodyBytes else { throw Refusal(.text(413, "body too large\n")) }
        var body = Array(bytes[headEnd.body...])
        while body.count < length { body += try await client.read(atMost: length - body.count) }
        request.body = Array(body.prefix(length))
        return request
    }

    /// Where the head ends (before the blank line) and the body begins.
    static func headEnd(_ bytes: [UInt8]) -> (head: Int, body: Int)? {
        guard bytes.count >= 2 else { return nil }
        for i in 1..<bytes.count where bytes[i] == 0x0A {
            if bytes[i - 1] == 0x0A { return (i - 1, i + 1) }
            if i >= 3, bytes[i - 1] == 0x0D, bytes[i - 2] == 0x0A { return (i - 2, i + 1) }
        }
        return nil
    }

    static func within<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let value = try await withTimeLimit(limit, body) else { throw TimedOut() }
        return value
    }

    final class ConnectionSlots: Sendable {
        private let limit: Int
        private let taken = Mutex(0)
        init(limit: Int) { self.limit = limit }
        func take() -> Bool {
            taken.withLock { count in
                guard count < limit else { return false }
                count += 1
                return true
            }
        }
        func give() { taken.withLock { $0 -= 1 } }
    }

    /// A request answered without reaching the routes.
    struct Refusal: Error {
        var answer: HTTPAnswer
        init(_ answer: HTTPAnswer) { self.answer = answer }
    }

    struct TimedOut: Error {}
}

/// One request as the routes see it.
struct HTTPRequest: Sendable {
    var method: String
    /// The path without its query.
    var path: String
    /// Header names in lower case; a repeated header keeps its values joined by ", ".
    var headers: [String: String]
    var body: [UInt8] = []
    /// The address of the connection's other end (the reverse proxy's, behind one).
    var peer: String

    init?(head: ArraySlice<UInt8>, peer: String) {
        // Split as bytes: to a Swift String "\r\n" is one character.
        let lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
        method = String(parts[0])
        path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        self.headers = headers
        self.peer = peer
    }

    init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], peer: String = "127.0.0.1") {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.peer = peer
    }
}

/// One answer; the connection closes after it.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    init(status: Int, type: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.headers = [("Content-Type", type)] + headers
        self.body = body
    }

    static func text(_ status: Int, _ text: String) -> HTTPAnswer {
        HTTPAnswer(status: status, type: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    var bytes: [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.phrase(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 204: "No Content"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}

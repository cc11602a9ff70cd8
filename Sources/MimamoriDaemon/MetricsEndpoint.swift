import FlyingSocks
import Foundation
import Logging
import MimamoriService
import Prometheus
import ServiceLifecycle
import Synchronization
import Timing

/// Serves `/metrics` (Prometheus text format) and `/healthz` on a loopback port.
///
/// `/healthz` answers 200 while the daemon can do its job (`ok`, or `degraded: …` when it works
/// with a fault a person should look at), 503 `unavailable: …` when it cannot (broker
/// disconnected, ledger unusable, intake stalled), so the load balancer of an active/standby pair
/// sends nothing to an instance that cannot act and does not fail over for a paused channel.
///
/// The endpoint is an aid, never a condition of the daemon's work: a port already taken logs
/// `metrics.unavailable` and the daemon goes on delivering. Each client gets `readTimeout` to
/// send its request (at most `maxRequestBytes` of request line and headers) and to take the
/// answer, one request per connection, and at most `maxConnections` are served at once, so a
/// slow or flooding local client cannot hold the endpoint or the process's file descriptors.
/// (FlyingFox's HTTPServer bounds none of these, so the endpoint reads HTTP itself on
/// FlyingSocks, FlyingFox's socket layer: two GET routes need little of HTTP.)
public struct MetricsEndpoint: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: UInt16
        /// Request line and headers together; `GET /healthz` needs a few hundred bytes.
        public var maxRequestBytes = 8 << 10
        /// How long a client may take to send its request, and then to take the answer.
        public var readTimeout: Duration = .seconds(2)
        /// Connections served at once; one more is answered 503 and closed at once.
        public var maxConnections = 16

        public init(host: String = "127.0.0.1", port: UInt16 = 9464) {
            self.host = host
            self.port = port
        }
    }

    private let configuration: Configuration
    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () async -> HealthReport
    private let logger: Logger

    public init(
        configuration: Configuration, registry: PrometheusCollectorRegistry, logger: Logger,
        health: @escaping @Sendable () async -> HealthReport
    ) {
        self.configuration = configuration
        self.registry = registry
        self.health = health
        self.logger = logger
    }

    public func run() async throws {
        let listen = "\(configuration.host):\(configuration.port)"
        let listener: Socket
        do {
            listener = try Self.listen(host: configuration.host, port: configuration.port)
        } catch {
            logger.error(
                "metrics.unavailable",
                metadata: .keys([
                    .listen: .string(listen),
                    .reason: .string(
                        "cannot listen (\(error.localizedDescription)); /healthz and /metrics are unreachable, delivering goes on; free the port or change metrics.listen, then restart"
                    ),
                ]))
            // Returning would end the service group: wait for the daemon's own shutdown.
            try? await gracefulShutdown()
            return
        }
        defer { try? listener.close() }
        let pool: some AsyncSocketPool = .make()
        try await pool.prepare()
        let socket = try AsyncSocket(socket: listener, pool: pool)
        logger.info("metrics.listening", metadata: .keys([.listen: .string(listen)]))
        let settings = configuration
        let responder = Responder(registry: registry, health: health)
        let open = ConnectionSlots(limit: configuration.maxConnections)
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await pool.run() }
                    for try await client in socket.sockets {
                        guard open.take() else {
                            // Best effort, without waiting: the client is told, the slot stays free.
                            _ = try? client.socket.write(Responder.busy)
                            try? client.close()
                            continue
                        }
                        group.addTask {
                            await Self.serve(client, settings: settings, responder: responder)
                            open.give()
                        }
                    }
                }
            }
        } catch {
            // Stopped for the shutdown (cancelled); any other time the endpoint really failed,
            // which must not take the daemon down either.
            if !(Task.isShuttingDownGracefully || Task.isCancelled) {
                logger.error("metrics.unavailable", metadata: .keys([.listen: .string(listen), .reason: .string("\(error)")]))
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
    static func serve(_ client: AsyncSocket, settings: Configuration, responder: Responder) async {
        defer { try? client.close() }
        let answer: [UInt8]
        do {
            let head = try await within(settings.readTimeout) {
                try await readHead(client, limit: settings.maxRequestBytes)
            }
            answer = await responder.answer(head)
        } catch is RequestTooLarge {
            answer = Responder.response(431, "Request Header Fields Too Large", "request too large\n")
        } catch is TimedOut {
            answer = Responder.response(408, "Request Timeout", "request not received in time\n")
        } catch {
            return  // the client went away
        }
        _ = try? await within(settings.readTimeout) { try await client.write(Data(answer)) }
    }

    /// The request line and headers, up to the blank line; the body (a GET has none) is not read.
    static func readHead(_ client: AsyncSocket, limit: Int) async throws -> [UInt8] {
        var head: [UInt8] = []
        while true {
            let chunk = try await client.read(atMost: 4096)
            head += chunk
            if let end = headEnd(head) { return Array(head[..<end]) }
            if head.count > limit { throw RequestTooLarge() }
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 1..<bytes.count where bytes[i] == 0x0A {
            if bytes[i - 1] == 0x0A { return i - 1 }
            if i >= 3, bytes[i - 1] == 0x0D, bytes[i - 2] == 0x0A { return i - 2 }
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

    struct RequestTooLarge: Error {}
    struct TimedOut: Error {}

    /// The two routes.
    struct Responder: Sendable {
        let registry: PrometheusCollectorRegistry
        let health: @Sendable () async -> HealthReport

        static let busy = Data(response(503, "Service Unavailable", "busy: too many connections\n"))

        func answer(_ head: [UInt8]) async -> [UInt8] {
            let line = head.split(separator: 0x0A, maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
            guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
                return Self.response(400, "Bad Request", "bad request\n")
            }
            guard parts[0] == "GET" else { return Self.response(405, "Method Not Allowed", "GET only\n") }
            switch parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? "" {
            case "/metrics":
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return Self.response(200, "OK", buffer, type: "text/plain; version=0.0.4; charset=utf-8")
            case "/healthz":
                let report = await health()
                return report.isHealthy
                    ? Self.response(200, "OK", report.text + "\n")
                    : Self.response(503, "Service Unavailable", report.text + "\n")
            default:
                return Self.response(404, "Not Found", "not found\n")
            }
        }

        static func response(_ status: Int, _ phrase: String, _ body: String) -> [UInt8] {
            response(status, phrase, Array(body.utf8), type: "text/plain; charset=utf-8")
        }

        static func response(_ status: Int, _ phrase: String, _ body: [UInt8], type: String) -> [UInt8] {
            let head = "HTTP/1.1 \(status) \(phrase)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            return Array(head.utf8) + body
        }
    }
}

import Foundation
import Logging
import MimamoriService
import Prometheus
import ServiceLifecycle

/// Serves `/metrics` (Prometheus text format) and `/healthz` on a loopback port.
///
/// `/healthz` answers 200 while the daemon can do its job (`ok`, or `degraded: …` when it works
/// with a fault a person should look at), 503 `unavailable: …` when it cannot (broker
/// disconnected, ledger unusable, intake stalled), so the load balancer of an active/standby pair
/// sends nothing to an instance that cannot act and does not fail over for a paused channel.
///
/// The endpoint is an aid, never a condition of the daemon's work: a port already taken logs
/// `metrics.unavailable` and the daemon goes on delivering. Requests are read by `BoundedHTTP`,
/// so a slow or flooding local client cannot hold it.
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
        let limits = BoundedHTTP.Limits(
            maxRequestBytes: configuration.maxRequestBytes, maxBodyBytes: 0, readTimeout: configuration.readTimeout,
            maxConnections: configuration.maxConnections)
        let server = BoundedHTTP(name: "metrics", host: configuration.host, port: configuration.port, limits: limits, logger: logger)
        let responder = Responder(registry: registry, health: health)
        try await server.run { request in await responder.answer(request) }
    }

    /// The two routes.
    struct Responder: Sendable {
        let registry: PrometheusCollectorRegistry
        let health: @Sendable () async -> HealthReport

        func answer(_ request: HTTPRequest) async -> HTTPAnswer {
            guard request.method == "GET" else { return .text(405, "GET only\n") }
            switch request.path {
            case "/metrics":
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return HTTPAnswer(status: 200, type: "text/plain; version=0.0.4; charset=utf-8", body: buffer)
            case "/healthz":
                let report = await health()
                return .text(report.isHealthy ? 200 : 503, report.text + "\n")
            default:
                return .text(404, "not found\n")
            }
        }
    }
}

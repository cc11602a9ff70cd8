import FlyingFox
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// Serves `/metrics` (Prometheus text format) and `/healthz` on a loopback port.
///
/// `/healthz` answers 200 while the daemon can do its job (`ok`, or `degraded: …` when it works
/// with a fault a person should look at), 503 `unavailable: …` when it cannot (broker
/// disconnected, ledger unusable, intake stalled), so the load balancer of an active/standby pair
/// sends nothing to an instance that cannot act and does not fail over for a paused channel.
public struct MetricsEndpoint: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: UInt16
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
        let address = try sockaddr_in.inet(ip4: configuration.host, port: configuration.port)
        let server = HTTPServer(address: address, logger: .disabled)
        let registry = self.registry
        let health = self.health
        await server.appendRoute("GET /metrics") { _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: Data(buffer))
        }
        await server.appendRoute("GET /healthz") { _ in
            let report = await health()
            return HTTPResponse(
                statusCode: report.isHealthy ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: Data((report.text + "\n").utf8))
        }
        logger.info("metrics.listening", metadata: .keys([.listen: "\(configuration.host):\(configuration.port)"]))
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                Task { await server.stop(timeout: 1) }
            }
        } catch {
            // FlyingFox ends `run()` with an error (cancelled, disconnected) when it is stopped:
            // during shutdown that is a clean stop; any other time the endpoint really failed.
            if !(Task.isShuttingDownGracefully || Task.isCancelled) { throw error }
        }
    }
}


import AMQP
import Foundation
import Logging

/// The private RabbitMQ node the integration tests use, as `scripts/with-broker.sh` (and so
/// `make test`) describes it in the environment. There is no fallback and no skip: without
/// those variables every broker test fails with a message that says how to run it.
public struct Broker: Sendable {
    /// `amqp://mimamori:…@127.0.0.1:PORT/mimamori`
    public let url: String
    /// `amqps://mimamori:…@localhost:TLS_PORT/mimamori`
    public let tlsURL: String
    /// The test CA (`ca.pem`) and a client certificate (`client.pem`, `client.key`).
    public let tlsDirectory: String
    /// `scripts/rabbitmq-node.sh`; `ctl ARGS` runs rabbitmqctl against this node.
    public let script: String
    /// What the script needs beside it to mean this node (`MIMAMORI_RABBIT_INSTANCE`).
    public var scriptEnvironment: [String: String] = [:]

    public struct Missing: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: the broker tests need the private RabbitMQ node; run them with "
                + "`make test` or `scripts/with-broker.sh swift test …` (set MIMAMORI_RABBIT_NODE/PORT/"
                + "TLS_PORT/DIST_PORT to use a node of your own)"
        }
    }

    public struct CommandFailed: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let output: String
        public var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }
    }

    public static func fromEnvironment() throws -> Broker {
        let environment = ProcessInfo.processInfo.environment
        func required(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw Missing(variable: name) }
            return value
        }
        return Broker(
            url: try required("MIMAMORI_TEST_AMQP_URL"),
            tlsURL: try required("MIMAMORI_TEST_AMQPS_URL"),
            tlsDirectory: try required("MIMAMORI_TEST_TLS_DIR"),
            script: try required("MIMAMORI_TEST_RABBIT_SCRIPT"))
    }

    /// Starts the three nodes of a private cluster (`MIMAMORI_RABBIT_INSTANCE=cluster-1…3`, one
    /// Erlang cookie) and joins the second and third to the first; `stopNode()` each after.
    public static func startCluster() async throws -> [Broker] {
        let cookie = "MIMAMORI" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let script = try fromEnvironment().script
        do {
            var nodes: [Broker] = []
            try await withThrowingTaskGroup(of: Broker.self) { group in
                for n in 1...3 {
                    group.addTask {
                        try await startNode(
                            instance: "cluster-\(n)", environment: ["MIMAMORI_RABBIT_COOKIE": cookie, "MIMAMORI_RABBIT_FRESH": "1"])
                    }
                }
                for try await node in group { nodes.append(node) }
            }
            nodes.sort { $0.url < $1.url }
            let first = try nodes[0].nodeName()
            for node in nodes.dropFirst() {
                try await node.ctl("stop_app")
                try await node.ctl("reset")
                try await node.ctl("join_cluster", first)
                try await node.startApp()
            }
            return nodes
        } catch {
            // No node of a half-made cluster is left running for the tests that follow.
            for n in 1...3 { _ = try? await run([script, "stop"], environment: ["MIMAMORI_RABBIT_INSTANCE": "cluster-\(n)"]) }
            throw error
        }
    }

    /// Runs `body` with these extra nodes, and stops them after it, whatever its outcome.
    public static func withNodes<T: Sendable>(_ nodes: [Broker], _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            for node in nodes { try await node.stopNode() }
            return result
        } catch {
            for node in nodes { try? await node.stopNode() }
            throw error
        }
    }

    /// The Erlang node name (`mimamori-test-cluster-1@localhost`).
    public func nodeName() throws -> String {
        let instance = scriptEnvironment["MIMAMORI_RABBIT_INSTANCE"] ?? ""
        return instance.isEmpty ? "mimamori-test@localhost" : "mimamori-test-\(instance)@localhost"
    }

    /// The AMQP port of this node.
    public var port: Int { URLComponents(string: url)?.port ?? 5672 }

    /// Starts the second private node (`MIMAMORI_RABBIT_INSTANCE=partner`: its own name, ports
    /// and data), a partner town's broker; `stopNode()` stops it. Started only by the tests
    /// that need two brokers, so the rest of the suite does not wait for it.
    public static func startPartnerNode() async throws -> Broker {
        try await startNode(instance: "partner")
    }

    static func startNode(instance: String, environment extra: [String: String] = [:]) async throws -> Broker {
        let first = try fromEnvironment()
        // Empty: the script's own values for the instance, whatever names the first node.
        var environment = extra.merging(["MIMAMORI_RABBIT_INSTANCE": instance]) { _, new in new }
        for name in ["DIR", "NODE", "PORT", "TLS_PORT", "DIST_PORT"] { environment["MIMAMORI_RABBIT_\(name)"] = "" }
        _ = try await run([first.script, "start"], environment: environment)
        var lines: [String: String] = [:]
        for line in try await run([first.script, "env"], environment: environment).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { lines[parts[0]] = parts[1] }
        }
        guard let url = lines["MIMAMORI_TEST_AMQP_URL"], let tlsURL = lines["MIMAMORI_TEST_AMQPS_URL"],
            let tls = lines["MIMAMORI_TEST_TLS_DIR"]
        else { throw CommandFailed(command: [first.script, "env"], status: 0, output: "\(lines)") }
        var broker = Broker(url: url, tlsURL: tlsURL, tlsDirectory: tls, script: first.script)
        broker.scriptEnvironment = environment
        return broker
    }

    /// Stops this node (the partner's or a cluster's, after its test).
    public func stopNode() async throws {
        _ = try await Self.run([script, "stop"], environment: scriptEnvironment)
    }

    /// The virtual host of the URLs (`mimamori`), for rabbitmqctl's `-p`.
    public var virtualHost: String { (try? AMQPConfiguration(url: url).virtualHost) ?? "/" }

    /// The plain-TCP configuration with test-friendly reconnect delays.
    public func configuration(heartbeat: Int = 10, prefetch: UInt16 = 200) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: url)
        configuration.heartbeat = heartbeat
        configuration.prefetch = prefetch
        configuration.connectTimeout = .seconds(5)
        configuration.reconnectInitialDelay = .milliseconds(50)
        configuration.reconnectMaxDelay = .milliseconds(500)
        configuration.connectionName = "mimamori-tests"
        return configuration
    }

    public func tlsConfiguration(caFile: String? = nil) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(
            url: tlsURL, tls: .init(caFile: caFile ?? "\(tlsDirectory)/ca.pem"))
        configuration.heartbeat = 10
        configuration.connectTimeout = .seconds(5)
        return configuration
    }

    /// Runs `rabbitmqctl ARGS` on this node (through the script, which knows the node name and
    /// the user to run as) and returns its standard output. Runs off the cooperative pool.
    @discardableResult
    public func ctl(_ arguments: String...) async throws -> String {
        try await Self.run([script, "ctl"] + arguments, environment: scriptEnvironment)
    }

    /// `stop_app` then `start_app`: the broker drops every connection, refuses new ones while
    /// stopped, and keeps durable queues and persistent messages.
    public func restartApp() async throws {
        try await ctl("stop_app")
        try await startApp()
    }

    /// `start_app` and `await_startup`, retried for a while when the listener cannot bind:
    /// the test node's port lies in the kernel's ephemeral range, so a client reconnecting
    /// while the broker is down can connect to itself (TCP simultaneous open: local port ==
    /// the broker's port) and hold the port for a moment (`eaddrinuse`).
    public func startApp() async throws {
        var attempt = 1
        while true {
            do {
                try await ctl("start_app")
                break
            } catch let error as CommandFailed where error.output.contains("eaddrinuse") && attempt < 20 {
                // A failed start leaves parts of the app running: stop it before the next try.
                attempt += 1
                _ = try? await ctl("stop_app")
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        try await ctl("await_startup")
    }

    /// Freezes the broker's Erlang VM (SIGSTOP) for `duration`, then lets it go on (SIGCONT):
    /// to clients it looks like a peer that went silent without closing the socket, which only
    /// heartbeats can detect.
    public func freeze(for duration: Duration) async throws {
        let dataDirectory = URL(fileURLWithPath: tlsDirectory).deletingLastPathComponent().path
        let text = try String(contentsOfFile: "\(dataDirectory)/rabbit.pid", encoding: .utf8)
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CommandFailed(command: ["read \(dataDirectory)/rabbit.pid"], status: -1, output: text)
        }
        guard kill(pid, SIGSTOP) == 0 else {
            throw CommandFailed(command: ["kill -STOP \(pid)"], status: errno, output: "")
        }
        try? await Task.sleep(for: duration)
        kill(pid, SIGCONT)
    }

    /// A name no other test (or test run) uses: `prefix-<8 hex>`.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    public static func logger(_ label: String, level: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    static func run(_ command: [String], environment: [String: String] = [:]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else { throw CommandFailed(command: command, status: status, output: output) }
        return output
    }
}

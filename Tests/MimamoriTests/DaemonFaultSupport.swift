import Foundation
import TestFixtures

/// A small seeded generator (SplitMix64) for the fault suites: the seed is printed, so a run's
/// kill points can be replayed with `MIMAMORI_FAULT_SEED=…`.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The seed from `MIMAMORI_FAULT_SEED`, or a fresh one.
    static func seedFromEnvironment() -> UInt64 {
        ProcessInfo.processInfo.environment["MIMAMORI_FAULT_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension DaemonRig {
    /// The daemon's `/metrics`, as `name{labels}` → value (through curl, like a scraper).
    func metrics() throws -> [String: Double] {
        let text = try runTool("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(folder.metricsPort)/metrics"])
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    /// A metric's value, 0 when the daemon has not exported it (a counter never incremented).
    func metric(_ name: String) throws -> Double { try metrics()[name] ?? 0 }

    /// `/healthz` as a load balancer or an operator's probe sees it: the HTTP status and the line.
    func health(port: Int? = nil) throws -> (status: Int, text: String) {
        let output = try runTool(
            "/usr/bin/curl", ["-sS", "--max-time", "5", "-w", "\n%{http_code}", "http://127.0.0.1:\(port ?? folder.metricsPort)/healthz"])
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The case queue as the broker sees it: ready and unacknowledged messages (rabbitmqctl).
    func casesQueueCounts() async throws -> (ready: Int, unacked: Int) {
        let output = try await broker.ctl(
            "list_queues", "-q", "-p", broker.virtualHost, "name", "messages_ready", "messages_unacknowledged")
        for line in output.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count == 3, fields[0] == folder.casesQueue, let ready = Int(fields[1]), let unacked = Int(fields[2]) {
                return (ready, unacked)
            }
        }
        throw FixtureError("rabbitmqctl list_queues does not show \(folder.casesQueue):\n\(output)")
    }

    /// Message ids recorded more than once in the ledger's `events` (an event acked twice
    /// would show here; the primary key makes it impossible, and this checks it).
    func eventsRecordedTwice() throws -> [String] {
        try sql("SELECT message_id FROM events GROUP BY message_id HAVING count(*) > 1")
    }

    /// Deliveries by state (all cases), through sqlite3.
    func deliveryStates() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try sql("SELECT channel || '/' || state, count(*) FROM deliveries GROUP BY 1") {
            let parts = row.split(separator: "|")
            if parts.count == 2, let count = Int(parts[1]) { counts[String(parts[0])] = count }
        }
        return counts
    }
}

extension DaemonRig {
    /// Publishes `event`, retrying for up to 30 s: while the broker comes back (or a cluster
    /// moves a queue's leader) the publisher's own connection refuses, and a publish fails.
    func publishRetrying(_ event: [String: Any]) async throws {
        let end = ContinuousClock.now + .seconds(30)
        while true {
            do {
                try await publisher.publish(event)
                return
            } catch {
                if ContinuousClock.now > end { throw WaitTimedOut(description: "could not publish in 30 s: \(error)") }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

/// What `/healthz` says, assembled from the daemon's parts: each part adds its causes, the report
/// decides the status and the line.
///
/// - `200 ok cases_open=N`: new cases go out.
/// - `200 degraded: <cause>[; <cause>…]`: the instance still works (a paused channel); a load
///   balancer must not fail over, a person should look.
/// - `503 unavailable: <cause>[; <cause>…]`: new cases cannot go out (broker disconnected, ledger
///   unusable, intake stalled); degraded causes follow the unavailable ones on the same line.
public struct HealthReport: Sendable {
    public enum Severity: Sendable {
        case degraded
        case unavailable
    }

    public struct Cause: Sendable {
        public var severity: Severity
        /// Ids and codes only, e.g. `channel email paused (smtp-530 at mail-from)`.
        public var text: String
    }

    public private(set) var causes: [Cause] = []
    /// Shown after `ok`, e.g. `cases_open=3`.
    public var detail: String?

    public init(detail: String? = nil) { self.detail = detail }

    public mutating func degraded(_ text: String) { causes.append(Cause(severity: .degraded, text: text)) }
    public mutating func unavailable(_ text: String) { causes.append(Cause(severity: .unavailable, text: text)) }

    public var isHealthy: Bool { !causes.contains { $0.severity == .unavailable } }

    public var text: String {
        let unavailable = causes.filter { $0.severity == .unavailable }.map(\.text)
        let degraded = causes.filter { $0.severity == .degraded }.map(\.text)
        if !unavailable.isEmpty { return "unavailable: " + (unavailable + degraded).joined(separator: "; ") }
        if !degraded.isEmpty { return "degraded: " + degraded.joined(separator: "; ") }
        return detail.map { "ok \($0)" } ?? "ok"
    }
}

/// The confirmation endpoint's limits, kept in memory: how often one client may ask, and how
/// many unknown codes the whole endpoint answers in a window.
///
/// A code has 60 bits, so guessing one is hopeless; the limits keep a guesser's traffic from
/// filling the ledger's reads and the journal. Past the global cap every code request waits
/// for the window to pass, valid ones too: answering valid codes while refusing unknown ones
/// would tell a guesser which is which. A cooperator told to try again later, or the staff
/// recording it by phone (`mimamori confirm`), loses nothing.
///
/// Pure state: the caller passes the instant, so tests step through windows without waiting.
struct ConfirmRateLimit: Sendable {
    struct Limits: Sendable, Hashable {
        /// Requests one client may make in a window: a cooperator opens a page and presses a
        /// button, and an institution's office shares one address among several people.
        var perClient = 30
        /// Unknown-code answers of the whole endpoint in a window.
        var unknownCodes = 60
        var window: Duration = .seconds(60)
        /// Clients remembered at once; past it the oldest windows are forgotten first.
        var clients = 10_000
    }

    enum Decision: Hashable, Sendable {
        case admit
        /// Refused; the client may ask again after this long (the answer's Retry-After).
        case refuse(retryAfter: Duration)
    }

    private struct Window: Sendable {
        var start: ContinuousClock.Instant
        var count: Int
    }

    let limits: Limits
    private var clients: [String: Window] = [:]
    private var unknown: Window?

    init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether `client` may ask for a code at `now`; an admitted request is counted.
    mutating func admit(client: String, at now: ContinuousClock.Instant) -> Decision {
        if let unknown, now - unknown.start < limits.window, unknown.count >= limits.unknownCodes {
            return .refuse(retryAfter: unknown.start + limits.window - now)
        }
        var window = clients[client].flatMap { now - $0.start < limits.window ? $0 : nil } ?? Window(start: now, count: 0)
        guard window.count < limits.perClient else { return .refuse(retryAfter: window.start + limits.window - now) }
        window.count += 1
        if clients[client] == nil, clients.count >= limits.clients { forgetOldest(at: now) }
        clients[client] = window
        return .admit
    }

    /// Counts one unknown-code answer against the global cap.
    mutating func answeredUnknown(at now: ContinuousClock.Instant) {
        if let current = unknown, now - current.start < limits.window {
            unknown?.count += 1
        } else {
            unknown = Window(start: now, count: 1)
        }
    }

    /// Clients remembered now (for tests: the memory stays bounded).
    var rememberedClients: Int { clients.count }

    private mutating func forgetOldest(at now: ContinuousClock.Instant) {
        clients = clients.filter { now - $0.value.start < limits.window }
        if clients.count >= limits.clients, let oldest = clients.min(by: { $0.value.start < $1.value.start })?.key {
            clients[oldest] = nil
        }
    }

    /// The Retry-After header's whole seconds (at least 1).
    static func retryAfterSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}

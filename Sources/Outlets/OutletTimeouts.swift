/// How long an outlet waits: to connect, and for a whole transfer (connect, TLS, AUTH, upload,
/// reply). A hung server must never hold a session forever; the dispatcher retries instead.
public struct OutletTimeouts: Sendable, Hashable {
    public var connect: Duration
    public var total: Duration

    public init(connect: Duration = .seconds(10), total: Duration = .seconds(60)) {
        self.connect = connect
        self.total = total
    }
}

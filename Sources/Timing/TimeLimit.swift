/// Runs `body`, giving up once `limit` has passed: its value, or nil when the limit came first
/// (the body is then cancelled). For a peer that may never answer: a slow client, a broker that
/// hangs.
public func withTimeLimit<T: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}

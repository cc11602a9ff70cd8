import Foundation
import NamedThreads

/// Runs blocking work that keeps nothing warm between calls (waiting for a subprocess) on a
/// thread of its own and awaits it, so that the cooperative pool — a thread per core, two on a
/// small municipal server — keeps serving the broker, the ledger and the other outlets meanwhile.
/// Work whose thread state is worth keeping (a libcurl handle, pango's font map) goes to
/// `WorkerThreads` instead.
enum DedicatedThread {
    static func run<T: Sendable>(
        name: String, _ body: @escaping @Sendable () throws(OutletError) -> T
    ) async throws(OutletError) -> T {
        let result: Result<T, OutletError> = await withCheckedContinuation { continuation in
            Thread.start(named: name) {
                do throws(OutletError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}

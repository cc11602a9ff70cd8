import Foundation

/// Runs blocking or CPU-heavy work (a subprocess, laying out a PDF) on a thread of its own and
/// awaits it, so that the cooperative pool — a thread per core, two on a small municipal server —
/// keeps serving the broker, the ledger and the other outlets meanwhile.
enum DedicatedThread {
    static func run<T: Sendable>(
        name: String, _ body: @escaping @Sendable () throws(OutletError) -> T
    ) async throws(OutletError) -> T {
        let result: Result<T, OutletError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(OutletError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = name
            thread.start()
        }
        return try result.get()
    }
}

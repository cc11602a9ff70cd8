import ServiceLifecycle

/// In a `ServiceGroup`, the connection lives until a graceful shutdown (or cancellation)
/// begins; then it closes, which finishes every `AMQPDeliveries` sequence, so an intake loop
/// iterating one ends by itself.
extension AMQPConnection: Service {
    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await self.waitUntilFinished()
        } onCancelOrGracefulShutdown: {
            self.beginClose()
        }
    }
}

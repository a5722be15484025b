import Logging
import ServiceLifecycle

/// The operation registry's part in the lifecycle: on graceful shutdown it stops new operations and
/// lets running ones end within `deadline` (a promote finishes or reverts), asking the rest to abort.
public struct OperationsService: Service {
    public let registry: OperationRegistry
    public let deadline: Duration
    /// How long an operation aborted at the deadline gets to end its own way.
    public let abortGrace: Duration
    let logger: Logger

    public init(registry: OperationRegistry, deadline: Duration, abortGrace: Duration = .seconds(30), logger: Logger) {
        self.registry = registry
        self.deadline = deadline
        self.abortGrace = abortGrace
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let left = await registry.drain(deadline: deadline, abortGrace: abortGrace)
        if left.isEmpty {
            logger.info("operations drained")
        } else {
            logger.error("operations still running at shutdown", metadata: ["ids": .string(left.joined(separator: ","))])
        }
    }
}

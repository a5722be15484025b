import Logging
import ServiceLifecycle

/// The watch loop as a lifecycle service: a reconcile request every `interval` (the reconciler skips
/// it when the config's digest has not changed). On graceful shutdown it stops ticking and waits for a
/// registration in progress, so Jenkins is never left half-updated by a restart.
public struct ConfigWatcher: Service {
    public let reconciler: Reconciler
    public let interval: Duration
    let logger: Logger

    public init(reconciler: Reconciler, interval: Duration, logger: Logger) {
        self.reconciler = reconciler
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        logger.info("watching the config", metadata: ["source": .string(reconciler.source.description),
                                                       "interval_s": .stringConvertible(interval.components.seconds)])
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await reconciler.request(reason: "watch", force: false)
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
        await reconciler.idle()
        logger.info("watcher stopped")
    }
}

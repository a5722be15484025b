import Logging

/// Everything the routes use, assembled once by `cutover serve` (or a test).
public struct ServerServices: Sendable {
    public var tokens: TokenSet
    public var webhooks: WebhookVerifier
    public var reconciler: Reconciler
    public var readiness: Readiness
    public var operations: OperationRegistry
    public var logger: Logger
    /// How long `POST /v1/reconcile` waits for its run before answering 202.
    public var reconcileWait: Duration
    /// The status page and `/metrics`.
    public var status: StatusServices

    public init(tokens: TokenSet, webhooks: WebhookVerifier, reconciler: Reconciler, readiness: Readiness,
                operations: OperationRegistry, logger: Logger, reconcileWait: Duration = .seconds(30),
                status: StatusServices = StatusServices()) {
        self.tokens = tokens
        self.webhooks = webhooks
        self.reconciler = reconciler
        self.readiness = readiness
        self.operations = operations
        self.logger = logger
        self.reconcileWait = reconcileWait
        self.status = status
    }
}

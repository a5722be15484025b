import CutoverCore

/// A value made from the config the reconciler last applied (validated and registered), so what the
/// sidecar reads and probes follows the config without a restart: the status page and `/metrics`
/// (a unit that leaves the config leaves them) and `/readyz` (a new environment's state store is
/// probed). Until the first good run, and with `--watch off` before any reconcile, it is the value made
/// from the config read at startup. The value (and the HTTP clients it holds) is made again only when
/// the applied digest changes.
public actor FollowsAppliedConfig<Value: Sendable> {
    private let reconciler: Reconciler
    private let make: @Sendable (Config) -> Value
    private var digest: String?
    private var value: Value

    public init(_ reconciler: Reconciler, startup: Config, make: @escaping @Sendable (Config) -> Value) {
        self.reconciler = reconciler
        self.make = make
        value = make(startup)
    }

    public func current() async -> Value {
        if let applied = await reconciler.applied(), applied.digest != digest {
            digest = applied.digest
            value = make(applied.config)
        }
        return value
    }
}

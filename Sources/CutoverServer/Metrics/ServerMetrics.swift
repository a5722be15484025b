import CutoverStatusPage
import Foundation
import Prometheus

/// The sidecar's Prometheus metrics. Traffic, health, the lock, operations and reconciling are brought
/// up to date when scraped, from what the sidecar already holds (the status cache, the operation
/// registry, the reconciler): no step reports to metrics, and a unit that leaves the config leaves
/// the metrics at the next scrape. The HTTP request metrics are recorded as requests end
/// (`HTTPMetricsMiddleware`).
public actor ServerMetrics {
    public nonisolated let registry = PrometheusCollectorRegistry()
    /// The ELB target states, each always exported (0 when no target is in it).
    static let targetStates = ["healthy", "unhealthy", "initial", "draining", "unused", "unavailable"]
    static let operationBuckets: [Duration] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600].map { .seconds($0) }

    /// The live gauges by their label set, so those no longer read are unregistered.
    private var liveGauges: [String: Gauge] = [:]
    /// Operations already counted: each finished one increments its counter exactly once.
    private var counted: Set<String> = []
    private var reconcileCounted: [String: Int] = [:]
    /// The read the traffic gauges were last set from, and those gauges: a scrape of the same read (the
    /// status cache keeps one for 2 s) reuses them instead of setting 1,000 gauges again.
    private var lastTraffic: (system: String, environments: [EnvironmentStatus], gauges: [String: Gauge])?

    public init(version: String) {
        registry.makeGauge(descriptor: Self.name("cutover_info", "cutover's version; always 1"), labels: [("version", version)]).set(to: 1.0)
        for outcome in ["applied", "invalid", "failed"] {
            _ = registry.makeCounter(descriptor: Self.name("cutover_reconcile_total", "Reconcile runs by result"), labels: [("result", outcome)])
        }
    }

    /// Everything in the text format, after bringing the derived metrics up to date.
    public func scrape(system: String, environments: [EnvironmentStatus], operations: OperationRegistry, reconciler: Reconciler) async -> [UInt8] {
        var gauges: [String: Gauge] = [:]
        if let lastTraffic, lastTraffic.system == system, lastTraffic.environments == environments {
            gauges = lastTraffic.gauges
        } else {
            for environment in environments {
                recordTraffic(system: system, environment, into: &gauges)
            }
            lastTraffic = (system, environments, gauges)
        }
        await recordOperations(operations, into: &gauges)
        await recordReconcile(reconciler, into: &gauges)
        for (key, gauge) in liveGauges where gauges[key] == nil { registry.unregisterGauge(gauge) }
        liveGauges = gauges
        return registry.emitToBuffer()
    }

    private func recordTraffic(system: String, _ environment: EnvironmentStatus, into gauges: inout [String: Gauge]) {
        for group in environment.groups {
            for color in ["blue", "green"] {
                let state = group.color(color)
                let labels = [("system", system), ("environment", environment.name), ("unit", group.unit), ("color", color)]
                gauge("cutover_traffic_weight", "The colour's share of the route in percent (0-100), as the ALB reads back", labels,
                      Double(state.percent), into: &gauges)
                for name in Self.targetStates {
                    gauge("cutover_target_health", "Targets of the colour's target group in each ELB health state", labels + [("state", name)],
                          Double(state.states[name] ?? 0), into: &gauges)
                }
            }
        }
        // Only when the read reached the store: an unknown lock is absent, not "free".
        if !environment.problems.contains(where: { $0.hasPrefix("the lock") }) {
            gauge("cutover_lock_held", "1 while a cutover command holds the environment's lock",
                  [("system", system), ("environment", environment.name)], environment.lock == nil ? 0 : 1, into: &gauges)
        }
    }

    private func recordOperations(_ registry: OperationRegistry, into gauges: inout [String: Gauge]) async {
        let summaries = await registry.list()
        var running: [String: Int] = [:]
        for kind in await registry.kinds { running[kind] = 0 }
        for summary in summaries {
            if !summary.state.isFinal {
                running[summary.kind, default: 0] += 1
                continue
            }
            guard !counted.contains(summary.id) else { continue }
            counted.insert(summary.id)
            self.registry.makeCounter(descriptor: Self.name("cutover_operations_total", "Finished operations by step and result"),
                                      labels: [("step", summary.kind), ("result", summary.state.rawValue)]).increment()
            if let finished = summary.finishedAt {
                let seconds = max(0, finished.timeIntervalSince(summary.createdAt))
                self.registry.makeDurationHistogram(descriptor: Self.name("cutover_operation_duration_seconds", "How long finished operations took"),
                                                    labels: [("step", summary.kind)], buckets: Self.operationBuckets)
                    .recordNanoseconds(Int64(seconds * 1e9))
            }
        }
        // Forgotten operations cannot come back: their ids need not be remembered.
        counted.formIntersection(summaries.map(\.id))
        for (kind, count) in running {
            gauge("cutover_operation_in_progress", "Operations running now, by step", [("step", kind)], Double(count), into: &gauges)
        }
    }

    private func recordReconcile(_ reconciler: Reconciler, into gauges: inout [String: Gauge]) async {
        for (outcome, total) in await reconciler.runCounts() {
            let key = outcome.rawValue
            let new = total - (reconcileCounted[key] ?? 0)
            if new > 0 {
                registry.makeCounter(descriptor: Self.name("cutover_reconcile_total", "Reconcile runs by result"), labels: [("result", key)])
                    .increment(by: Int64(new))
                reconcileCounted[key] = total
            }
        }
        if let finished = await reconciler.currentStatus().lastRun?.finishedAt {
            gauge("cutover_last_reconcile_timestamp_seconds", "When the last reconcile run ended (Unix time)", [],
                  finished.timeIntervalSince1970, into: &gauges)
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double, into gauges: inout [String: Gauge]) {
        let gauge = registry.makeGauge(descriptor: Self.name(name, help), labels: labels)
        gauge.set(to: value)
        gauges[name + labels.map { "|\($0.0)=\($0.1)" }.joined()] = gauge
    }

    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

import CutoverStatusPage
import Foundation

/// The page from what the sidecar knows: the environments as read (cached), with each one's running
/// operations and where they are, from the registry's event logs.
enum StatusPageAssembler {
    static func page(_ services: ServerServices, now: Date = Date()) async -> StatusPage {
        await timedPage(services, now: now).page
    }

    /// The page; how long this request waited for the status cache (about nothing but on the first
    /// read); and how long the read of AWS, the state store and Jenkins it shows took.
    static func timedPage(_ services: ServerServices, now: Date = Date()) async -> (page: StatusPage, wait: Duration, read: Duration?) {
        let status = services.status
        let clock = ContinuousClock()
        let started = clock.now
        var (environments, read) = await status.cache.read()
        let wait = clock.now - started
        let operations = await running(services.operations, now: now)
        for operation in operations where !environments.contains(where: { $0.name == operation.environment }) {
            environments.append(EnvironmentStatus(name: operation.environment))
        }
        for index in environments.indices {
            environments[index].operations = operations.filter { $0.environment == environments[index].name }.map(\.status)
        }
        let system = status.system.isEmpty ? "cutover" : status.system
        return (StatusPage(system: system, version: status.version, generatedAt: now, refreshSeconds: status.refreshSeconds,
                           environments: environments), wait, read)
    }

    /// Operations not yet final, with their progress parsed from their console lines.
    static func running(_ registry: OperationRegistry, now: Date = Date()) async -> [(environment: String, status: OperationStatus)] {
        var result: [(String, OperationStatus)] = []
        for summary in await registry.list() where !summary.state.isFinal {
            let lines = (await registry.events(summary.id, from: 0) ?? []).filter { $0.kind == .progress }.map { (time: $0.time, text: $0.message) }
            result.append((summary.environment, OperationStatus(id: summary.id, kind: summary.kind, state: summary.state.rawValue,
                                                                startedAt: summary.createdAt, progress: OperationProgress.parse(lines, now: now))))
        }
        return result
    }
}

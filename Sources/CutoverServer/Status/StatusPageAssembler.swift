import CutoverStatusPage
import Foundation

/// The page from what the sidecar knows: the environments as read (cached), with each one's running
/// operations and where they are, from the registry's event logs.
enum StatusPageAssembler {
    static func page(_ services: ServerServices, now: Date = Date()) async -> StatusPage {
        let status = services.status
        var environments = await status.cache.environments()
        let operations = await running(services.operations)
        for operation in operations where !environments.contains(where: { $0.name == operation.environment }) {
            environments.append(EnvironmentStatus(name: operation.environment))
        }
        for index in environments.indices {
            environments[index].operations = operations.filter { $0.environment == environments[index].name }.map(\.status)
        }
        let system = status.system.isEmpty ? "cutover" : status.system
        return StatusPage(system: system, version: status.version, generatedAt: now, refreshSeconds: status.refreshSeconds,
                          environments: environments)
    }

    /// Operations not yet final, with their progress parsed from their console lines.
    static func running(_ registry: OperationRegistry) async -> [(environment: String, status: OperationStatus)] {
        var result: [(String, OperationStatus)] = []
        for summary in await registry.list() where !summary.state.isFinal {
            let lines = (await registry.events(summary.id, from: 0) ?? []).filter { $0.kind == .progress }.map(\.message)
            result.append((summary.environment, OperationStatus(id: summary.id, kind: summary.kind, state: summary.state.rawValue,
                                                                startedAt: summary.createdAt, progress: OperationProgress.parse(lines))))
        }
        return result
    }
}

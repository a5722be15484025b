import CutoverState
import Foundation

extension JournalStore {
    /// Appends one finished step (provision, deploy, cleanup) to the release's journal, so the
    /// timeline shows the whole release and not only its traffic moves. Conditional like every save; a
    /// writer that lost the race (another entry landed in between) reads again and retries once.
    public func recordStep(system: String, environment: String, release: String, command: String, outcome: String,
                           detail: String? = nil, startedAt: Date, at time: Date = Date()) async throws {
        for attempt in 0..<2 {
            var document = try await open(system: system, environment: environment, release: release)
            document.journal.log(command, outcome, detail, at: time, startedAt: startedAt)
            do {
                try await save(&document)
                return
            } catch is StateConflict where attempt == 0 {
                continue
            }
        }
    }

    /// Every release with a journal in the environment (in key order: the keys say nothing of time, so
    /// a timeline sorts by the entries' times).
    public func releases(system: String, environment: String) async throws -> [String] {
        let prefix = "\(Self.fileName(system))/\(Self.fileName(environment))/releases/"
        return try await store.list(prefix: prefix).compactMap { key in
            guard key.hasSuffix(".json") else { return nil }
            let name = String(key.dropFirst(prefix.count).dropLast(5))
            return name.removingPercentEncoding ?? name
        }
    }
}

import CutoverState
import Foundation

/// The one lock every writer of a system+environment's routes takes — provision, deploy's target
/// registration, promote, rollback, cleanup — in the same store as the journal, so two agents (or an
/// agent and the sidecar) never read-modify-write one listener at once: ELBv2 has no conditional
/// write, so one of two concurrent writers would be lost silently.
public enum EnvironmentLock {
    public static func key(system: String, environment: String) -> String {
        "\(JournalStore.fileName(system))/\(JournalStore.fileName(environment))/lock.json"
    }

    /// Runs `body` holding the lock and releases it however `body` ends. A lock that cannot be taken
    /// throws `LockHeld` (exit 7, naming the holder) before `body` runs.
    public static func holding<T: Sendable>(
        _ store: any StateStore, system: String, environment: String, command: String, release: String?,
        now: @escaping @Sendable () -> Date = { Date() }, progress: @escaping @Sendable (String) -> Void,
        _ body: (StateLock) async throws -> T
    ) async throws -> T {
        let lock = try await StateLock.acquire(store: store, key: key(system: system, environment: environment),
                                               command: command, release: release, now: now)
        progress("lock: \(system)/\(environment) taken in \(store.location)")
        let result: Result<T, any Error>
        do { result = .success(try await body(lock)) } catch { result = .failure(error) }
        // Released on every exit path; a release that fails leaves a lease that expires on its own.
        do { try await Task { try await lock.release() }.value } catch {
            progress("warning: could not release the lock \(key(system: system, environment: environment)) in \(store.location): \(error) (its lease expires by itself)")
        }
        return try result.get()
    }
}

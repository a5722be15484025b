import Foundation

extension StateLock {
    /// Who holds the lock at `key` now, without touching it (`cutover unlock` without `--yes`, status).
    public static func currentHolder(store: any StateStore, key: String) async throws -> LockHolder? {
        guard let object = try await store.read(key) else { return nil }
        return try LockHolder.decode(object.data)
    }
}

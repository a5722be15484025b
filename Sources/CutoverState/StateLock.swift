import Foundation
import Synchronization

/// A lease lock on one key of a `StateStore`, shared by every agent that uses the store.
///
/// The lock is a document (`LockHolder`) created only if absent; the holder renews its lease every
/// third of it by rewriting the document over the version it last wrote, and deletes it, over that
/// version too, on release. A run that dies stops renewing, so its lease runs out and the next run takes
/// over (at once, when the dead run was on this machine). Every write is conditional, so two runs can
/// never both believe they hold it: the loser of any race sees a conflict.
public final class StateLock: Sendable {
    public let store: any StateStore
    public let key: String
    let lease: Duration
    let now: @Sendable () -> Date
    private let state: Mutex<State>
    private let renewal = Mutex<Task<Void, Never>?>(nil)

    private struct State {
        var holder: LockHolder
        var version: String
        var lost: LockLost?
        var released = false
        /// The last renewal failure, kept for the message when the lease runs out.
        var failure: String?
    }

    private init(store: any StateStore, key: String, lease: Duration, now: @escaping @Sendable () -> Date, holder: LockHolder, version: String) {
        self.store = store
        self.key = key
        self.lease = lease
        self.now = now
        state = Mutex(State(holder: holder, version: version))
    }

    deinit {
        renewal.withLock { $0?.cancel() }
    }

    /// Takes the lock or throws `LockHeld` naming the holder. An expired holder, or one on this host
    /// whose process is gone, is taken over with a write over its version; losing that race to another
    /// run ends in `LockHeld` naming the winner.
    public static func acquire(store: any StateStore, key: String, command: String, release: String?, lease: Duration = .seconds(60),
                               now: @escaping @Sendable () -> Date = { Date() }) async throws -> StateLock {
        let start = now()
        let holder = LockHolder.current(command: command, release: release, started: start, expires: start + lease.timeInterval)
        let document = try holder.encoded()
        var condition = WriteCondition.absent
        // Each round either takes the lock or learns who has it; a few rounds settle any race.
        for _ in 0..<4 {
            do {
                let version = try await store.write(key, document, condition: condition)
                return StateLock(store: store, key: key, lease: lease, now: now, holder: holder, version: version).renewing()
            } catch is StateConflict {
                guard let current = try await store.read(key) else {
                    condition = .absent  // released meanwhile
                    continue
                }
                let other = try decodeHolder(current.data, key: key, store: store)
                if other.id == holder.id {
                    // Our own earlier attempt landed and only its answer was lost (a retried request).
                    return StateLock(store: store, key: key, lease: lease, now: now, holder: other, version: current.version).renewing()
                }
                guard other.expires <= now() || other.isDeadProcessOnThisHost else {
                    throw LockHeld(holder: other, key: key, location: store.location)
                }
                condition = .version(current.version)
            }
        }
        guard let current = try await store.read(key) else { throw StateConflict(key: key, location: store.location, expected: "absent") }
        throw LockHeld(holder: try decodeHolder(current.data, key: key, store: store), key: key, location: store.location)
    }

    /// Removes the lock whoever holds it (`cutover unlock`), and returns who that was; nil when there was
    /// no lock, or only a document cutover cannot read (removed too). Deletes over the version it read,
    /// so a lock taken in between is left alone (`StateConflict`).
    public static func forceRelease(store: any StateStore, key: String) async throws -> LockHolder? {
        guard let current = try await store.read(key) else { return nil }
        try await store.delete(key, ifVersion: current.version)
        return try? LockHolder.decode(current.data)
    }

    /// The holder document as last written (its `expires` moves with each renewal).
    public var holder: LockHolder { state.withLock { $0.holder } }

    /// Throws `LockLost` when a renewal found the lock taken over or removed, or when renewals have
    /// failed until the lease ran out (another run may take it from then on). Call before each change.
    public func ensureHeld() throws {
        let lost: LockLost? = state.withLock { state in
            if let lost = state.lost { return lost }
            if !state.released, state.holder.expires <= now() {
                return LockLost(key: key, location: store.location, holder: nil,
                                reason: "the lease ran out at \(state.holder.expires.formatted(.iso8601)) without a renewal"
                                    + (state.failure.map { " (last renewal: \($0))" } ?? ""))
            }
            return nil
        }
        if let lost { throw lost }
    }

    /// Stops renewing and deletes the lock over the version this holder last wrote. Idempotent; a lock
    /// another run has taken over is left to it.
    public func release() async throws {
        let task = renewal.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        let (version, done) = state.withLock { state -> (String, Bool) in
            defer { state.released = true }
            return (state.version, state.released || state.lost != nil)
        }
        guard !done else { return }
        do {
            try await store.delete(key, ifVersion: version)
        } catch is StateConflict {
            return  // taken over meanwhile: the lock is someone else's now
        }
    }

    /// Starts the background renewal; returns self for `acquire`.
    private func renewing() -> StateLock {
        let interval = lease / 3
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self else { return }
                if await !self.renew() { return }
            }
        }
        renewal.withLock { $0 = task }
        return self
    }

    /// One renewal: the document rewritten over the last version with a new expiry. Returns false once
    /// the lock is lost, when renewing must stop.
    func renew() async -> Bool {
        let (current, version) = state.withLock { ($0.holder, $0.version) }
        var next = current
        next.expires = now() + lease.timeInterval
        do {
            let written = try await store.write(key, try next.encoded(), condition: .version(version))
            state.withLock { $0.holder = next; $0.version = written; $0.failure = nil }
            return true
        } catch is StateConflict {
            let stored = try? await store.read(key)
            let other = stored.flatMap { try? LockHolder.decode($0.data) }
            if let stored, let other, other.id == current.id {
                // Our renewal landed and only its answer was lost: the document is still ours.
                state.withLock { $0.holder = other; $0.version = stored.version }
                return true
            }
            state.withLock { $0.lost = LockLost(key: key, location: store.location, holder: other, reason: nil) }
            return false
        } catch {
            // The store did not answer: keep trying; ensureHeld() fails once the lease has run out.
            state.withLock { $0.failure = "\(error)" }
            return true
        }
    }

    private static func decodeHolder(_ data: Data, key: String, store: any StateStore) throws -> LockHolder {
        do {
            return try LockHolder.decode(data)
        } catch {
            throw StateStoreError(location: store.location, operation: "read the lock \(key)",
                                  underlying: "the lock document is not one this cutover can read (\(error))",
                                  hint: "a newer cutover may hold it; if no run holds it, `cutover unlock --env ENV` removes it")
        }
    }
}

extension Duration {
    /// In seconds, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

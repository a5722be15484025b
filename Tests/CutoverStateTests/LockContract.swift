@testable import CutoverState
import Foundation
import Testing

/// The lease lock's behaviour, run on each store by `StateStoreConformanceTests`.
enum LockContract {
    static func check(_ store: any StateStore) async throws {
        try await secondAcquireIsRefusedNamingTheHolder(store)
        try await anExpiredLeaseIsTakenOver(store)
        try await aTakeoverIsNoticedByTheFirstHolder(store)
        try await renewalMovesTheLease(store)
        try await aDeadLocalHolderIsTakenOverAtOnce(store)
        try await forceReleaseRemovesAnyHolder(store)
    }

    static func secondAcquireIsRefusedNamingTheHolder(_ store: any StateStore) async throws {
        let key = "spectate/staging/lock.json"
        let first = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r2")
        do {
            _ = try await StateLock.acquire(store: store, key: key, command: "rollback", release: nil)
            Issue.record("a second acquire must be refused")
        } catch let held as LockHeld {
            #expect(held.code == "lock.held")
            #expect(held.exitStatus.rawValue == 7)
            #expect(held.holder.id == first.holder.id)
            #expect(held.description.hasPrefix("\(key) in \(store.location) is locked by cutover promote --release r2 (pid \(getpid()) on "))
            #expect(held.description.contains("`cutover unlock --env ENV`"))
        }
        // The document is the holder, secret-free and readable by people.
        let document = try #require(try await store.read(key))
        let fields = try #require(try JSONSerialization.jsonObject(with: document.data) as? [String: Any])
        #expect(Set(fields.keys).isSubset(of: ["id", "command", "release", "host", "pid", "user", "build", "started", "expires"]))
        #expect(fields["command"] as? String == "promote" && fields["pid"] as? Int == Int(getpid()))

        try await first.release()
        try await first.release()  // idempotent
        #expect(try await store.read(key) == nil)
        let again = try await StateLock.acquire(store: store, key: key, command: "rollback", release: nil)
        #expect(again.holder.command == "rollback")
        try await again.release()
    }

    static func anExpiredLeaseIsTakenOver(_ store: any StateStore) async throws {
        let key = "spectate/expired/lock.json"
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let stale = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r1", lease: .seconds(60), now: { start })
        // 59 s later the lease still holds; at 61 s it has run out and the next run takes over.
        await #expect(throws: LockHeld.self) {
            _ = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r2", now: { start + 59 })
        }
        let next = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r2", now: { start + 61 })
        #expect(next.holder.id != stale.holder.id)
        #expect(next.holder.expires == start + 121)
        #expect(try await LockContract.storedHolder(store, key)?["id"] as? String == next.holder.id)
        try await stale.release()  // the stale holder must not remove the new one's lock
        #expect(try await LockContract.storedHolder(store, key)?["id"] as? String == next.holder.id)
        try await next.release()
        #expect(try await store.read(key) == nil)
    }

    static func aTakeoverIsNoticedByTheFirstHolder(_ store: any StateStore) async throws {
        let key = "spectate/takeover/lock.json"
        let first = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r1")
        try first.ensureHeld()
        // By the second run's clock the first's lease is long over (a paused VM, a skewed clock).
        let second = try await StateLock.acquire(store: store, key: key, command: "rollback", release: nil, now: { Date() + 3600 })
        try first.ensureHeld()  // nothing noticed until the next renewal, which runs here and now
        #expect(await first.renew() == false)
        do {
            try first.ensureHeld()
            Issue.record("the first holder must know it lost the lock")
        } catch let lost as LockLost {
            #expect(lost.code == "lock.lost" && lost.exitStatus.rawValue == 7)
            #expect(lost.holder?.id == second.holder.id)
            #expect(lost.description.hasPrefix("lost the lock \(key) in \(store.location): it is now held by cutover rollback (pid"))
        }
        try await first.release()
        #expect(try await LockContract.storedHolder(store, key)?["id"] as? String == second.holder.id)
        try await second.release()
    }

    static func renewalMovesTheLease(_ store: any StateStore) async throws {
        let key = "spectate/renewal/lock.json"
        // A lease of 6 s renewed every 2 s. The suite shares a process with suites that block its threads
        // (a full run has stalled it for over a minute), so this waits generously and judges the stored
        // document, not whether the lease also survived the stall (ensureHeld is proved elsewhere).
        let lock = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r1", lease: .seconds(6))
        let initial = lock.holder.expires
        let version = try #require(try await store.read(key)?.version)
        // Only the background renewal moves the lease.
        let deadline = ContinuousClock.now + .seconds(180)
        while lock.holder.expires < initial + 0.5, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(lock.holder.expires >= initial + 0.5)
        let stored = try #require(try await store.read(key))
        #expect(stored.version != version)
        let expires = try #require(LockHolder.decode(stored.data).expires as Date?)
        #expect(expires >= initial + 0.5, "the stored lease moved too")
        try await lock.release()
        #expect(try await store.read(key) == nil)
    }

    static func aDeadLocalHolderIsTakenOverAtOnce(_ store: any StateStore) async throws {
        let key = "spectate/dead/lock.json"
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let deadPID = exited.processIdentifier

        // A holder on another host with that pid is not judged: only its lease can free it. The lease is an
        // hour so that only the pid can be what frees it below (a loaded CI run once outlasted 6 s here).
        let crashed = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r1", lease: .seconds(3600))
        try await rewriteHolder(store, key, ["pid": Int(deadPID), "host": "some-other-agent"])
        await #expect(throws: LockHeld.self) { _ = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r2") }
        // On this host, a pid that no longer exists frees it at once, inside its lease.
        try await rewriteHolder(store, key, ["pid": Int(deadPID), "host": crashed.holder.host])
        let next = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r2")
        #expect(next.holder.release == "r2")
        // Its next renewal sees the document changed (called here: the background one may wait for a thread).
        #expect(await crashed.renew() == false)
        #expect(throws: LockLost.self) { try crashed.ensureHeld() }
        try await next.release()
    }

    static func forceReleaseRemovesAnyHolder(_ store: any StateStore) async throws {
        let key = "spectate/forced/lock.json"
        #expect(try await StateLock.forceRelease(store: store, key: key) == nil)
        let lock = try await StateLock.acquire(store: store, key: key, command: "promote", release: "r9")
        let removed = try #require(try await StateLock.forceRelease(store: store, key: key))
        #expect(removed.id == lock.holder.id && removed.release == "r9")
        #expect(try await store.read(key) == nil)
        let next = try await StateLock.acquire(store: store, key: key, command: "rollback", release: nil)
        try await lock.release()  // the forced-out holder leaves the new lock alone
        #expect(try await store.read(key) != nil)
        try await next.release()
    }

    static func storedHolder(_ store: any StateStore, _ key: String) async throws -> [String: Any]? {
        try await store.read(key).flatMap { try JSONSerialization.jsonObject(with: $0.data) as? [String: Any] }
    }

    /// Edits the stored lock document as another process would have written it.
    static func rewriteHolder(_ store: any StateStore, _ key: String, _ changes: [String: Any]) async throws {
        let current = try #require(try await store.read(key))
        var fields = try #require(try JSONSerialization.jsonObject(with: current.data) as? [String: Any])
        fields.merge(changes) { $1 }
        _ = try await store.write(key, try JSONSerialization.data(withJSONObject: fields), condition: .version(current.version))
    }
}

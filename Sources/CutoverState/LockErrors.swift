import CutoverCore
import Foundation

/// Another run holds the lock and its lease has not run out: the refusal names it and says when it
/// expires, and how to clear a lock whose holder is certainly dead.
public struct LockHeld: CutoverError {
    public var holder: LockHolder
    public var key: String
    public var location: String

    public init(holder: LockHolder, key: String, location: String) {
        self.holder = holder
        self.key = key
        self.location = location
    }

    public var code: String { "lock.held" }
    public var exitStatus: ExitStatus { .locked }

    public var description: String {
        "\(key) in \(location) is locked by \(holder)\n"
            + "hint: promote and rollback never run at once: wait for it to finish. Its lease runs out at "
            + "\(holder.expires.formatted(.iso8601)) unless it renews it; if you are sure the holder is dead, "
            + "`cutover unlock --env ENV` removes the lock"
    }
}

/// This run no longer holds its lock: another run took it over (its renewal found the document
/// changed), or renewals kept failing until the lease ran out. The run must stop changing traffic.
public struct LockLost: CutoverError {
    public var key: String
    public var location: String
    /// Who holds it now, when known.
    public var holder: LockHolder?
    /// Why renewal failed, when the store could not be reached.
    public var reason: String?

    public init(key: String, location: String, holder: LockHolder?, reason: String?) {
        self.key = key
        self.location = location
        self.holder = holder
        self.reason = reason
    }

    public var code: String { "lock.lost" }
    public var exitStatus: ExitStatus { .locked }

    public var description: String {
        var text = "lost the lock \(key) in \(location)"
        if let holder { text += ": it is now held by \(holder)" } else if let reason { text += ": \(reason)" } else { text += ": it was removed" }
        return text + "\nhint: another run may be changing traffic now; check `cutover status` before running again"
    }
}

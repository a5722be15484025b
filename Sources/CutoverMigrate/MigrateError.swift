import CutoverCore

/// A migration step that could not go on. Prisma's error codes are kept (P1002, P3005, P3009, P3018...)
/// so that people can search for them and find Prisma's documentation too.
public struct MigrateError: CutoverError, Equatable {
    public var prismaCode: String?
    public var code: String
    public var message: String

    public init(code: String, prisma: String? = nil, _ message: String) {
        self.code = code
        self.prismaCode = prisma
        self.message = message
    }

    public var exitStatus: ExitStatus { .failure }
    public var description: String { (prismaCode.map { "\($0): " } ?? "") + message }

    static func lockTimeout(seconds: Double) -> MigrateError {
        MigrateError(code: "migrate.lock-timeout", prisma: "P1002",
                     "timed out after \(seconds) s waiting for the migration advisory lock (pg_advisory_lock(72707369)): another deploy is running; wait for it, or raise --lock-wait")
    }
}

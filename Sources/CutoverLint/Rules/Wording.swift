/// Phrases several rules share, so every finding explains the blue/green window the same way.
enum Wording {
    /// Why the old release matters at all.
    static let oldRelease = "the old release keeps running against the new schema until promotion (and again after a rollback)"

    /// The contract step every destructive change is deferred to.
    static let laterContract = "in a later contract release, once no running release uses it"

    /// Why CONCURRENTLY needs a file to itself.
    static let concurrentlyAlone =
        "in a migration file that holds that statement alone: Prisma runs a migration file as one transaction and CONCURRENTLY cannot run inside a transaction"
}

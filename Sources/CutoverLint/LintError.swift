import CutoverCore

/// The lint could not read the migrations it was pointed at.
///
/// Codes match `cutover migrate deploy`'s for the same problems, so scripts see one vocabulary.
public struct LintError: CutoverError, Equatable {
    /// Stable identifier: `migrate.no-migrations`, `migrate.no-script` or `migrate.unreadable`.
    public var code: String
    /// What went wrong and what to do, for people.
    public var message: String

    /// Creates an error.
    public init(code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Always `.failure`, like `cutover migrate deploy`'s errors.
    public var exitStatus: ExitStatus { .failure }
    /// The message.
    public var description: String { message }

    static func noMigrations(_ path: String) -> LintError {
        LintError(code: "migrate.no-migrations", "\(path) is not a migrations folder: pass --migrations DIR (the folder holding <name>/migration.sql)")
    }

    static func noScript(_ file: String) -> LintError {
        LintError(code: "migrate.no-script", "\(file) is missing: every migration folder needs its migration.sql")
    }

    static func unreadable(_ file: String) -> LintError {
        LintError(code: "migrate.unreadable", "\(file) cannot be read as UTF-8 text")
    }
}

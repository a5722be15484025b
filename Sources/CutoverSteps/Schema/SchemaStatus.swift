import Foundation

/// The schema beside the traffic, for `cutover status`: the last applied migration and the release
/// that applied it, what is pending, what failed. From the database when it is reachable, else from
/// the schema journal (and says which).
public struct SchemaStatus: Sendable, Codable, Equatable {
    public var lastApplied: String?
    /// The release whose run applied `lastApplied`, when cutover recorded it.
    public var appliedBy: String?
    /// Local migrations not applied (nil when there is no local folder or no database to compare).
    public var pending: [String]?
    public var failed: String?
    /// `database`, or `journal` when no DATABASE_URL was set here.
    public var source: String

    /// `applied` and `failed` are the database's rows (nil: not reachable); `local` the folder's names.
    public static func read(journal: SchemaJournal?, applied: [String]?, failed: [String]?, local: [String]?) -> SchemaStatus {
        if let applied {
            let last = applied.last
            return SchemaStatus(lastApplied: last, appliedBy: last.flatMap { journal?.release(applying: $0)?.release },
                                pending: local.map { names in names.filter { !applied.contains($0) } }, failed: failed?.first, source: "database")
        }
        let runs = journal?.runs ?? []
        let lastRun = runs.last { !$0.applied.isEmpty }
        let failedRun = runs.last.flatMap { $0.succeeded ? nil : $0 }
        return SchemaStatus(lastApplied: lastRun?.applied.last?.name, appliedBy: lastRun?.release, pending: nil,
                            failed: failedRun?.failed?.name, source: "journal")
    }

    /// `schema: last applied 2026…_drop (by r3), 1 pending, none failed (from the database)`.
    public var line: String {
        var parts = ["last applied \(lastApplied ?? "none")\(appliedBy.map { " (by release \($0))" } ?? "")"]
        if let pending { parts.append(pending.isEmpty ? "none pending" : "\(pending.count) pending: \(pending.joined(separator: ", "))") }
        parts.append(failed.map { "FAILED: \($0)" } ?? "none failed")
        return "schema: " + parts.joined(separator: ", ") + " (from the \(source))"
    }
}

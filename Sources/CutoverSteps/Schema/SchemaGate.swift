import CutoverLint
import Foundation

/// Whether the schema lets a release take traffic, or lets a rollback bring the release before it back.
/// Pure: it judges the schema journal and (when the database was reachable) the migrations the
/// database holds as applied; the commands print `lines` in the console either way.
public enum SchemaGate {
    public struct Verdict: Sendable {
        /// What was checked, for the console (`schema: release r2 applied 2 migrations (expand) ...`).
        public var lines: [String]
        /// Why it is refused, with the ways out; nil when it may go ahead.
        public var problem: String?

        public var ok: Bool { problem == nil }
    }

    /// Promotion of `release` needs its migration run recorded and succeeded, and every migration it
    /// applied still applied in the database (nobody resolved one as rolled back since).
    public static func promotion(of release: String, journal: SchemaJournal?, appliedInDatabase: Set<String>?) -> Verdict {
        guard let run = journal?.latest(release) else {
            return Verdict(lines: ["schema: no migration run is recorded for release \(release)"],
                           problem: "release \(release) has no recorded migration run in this environment\nhint: run the db-migration pipeline (`cutover migrate deploy --release \(release)`) first; if the schema is known to be right, `--force --reason TEXT` promotes anyway and records why")
        }
        var lines = ["schema: release \(release) migrated at \(time(run.at))\(run.by.map { " by \($0)" } ?? ""): \(describe(run))"]
        guard run.succeeded else {
            let failed = run.failed.map { "\($0.name) failed" } ?? "the run failed"
            return Verdict(lines: lines, problem: "release \(release)'s migration run did not succeed: \(failed)\(run.error.map { " (\($0))" } ?? "")\nhint: fix the migration and rerun the db-migration pipeline; then promote")
        }
        guard let database = appliedInDatabase else {
            lines.append("schema: the database was not checked (no DATABASE_URL here); the journal says the run succeeded")
            return Verdict(lines: lines, problem: nil)
        }
        let expected = run.applied.map(\.name) + run.alreadyApplied
        let missing = expected.filter { !database.contains($0) }
        guard missing.isEmpty else {
            return Verdict(lines: lines, problem: "the database no longer has \(missing.count) migration\(missing.count == 1 ? "" : "s") release \(release) was migrated with: \(missing.joined(separator: ", ")) (resolved as rolled back, or a restore)\nhint: rerun the db-migration pipeline for \(release); `--force --reason TEXT` promotes anyway and records why")
        }
        lines.append("schema: the database has all \(expected.count) migrations release \(release) needs")
        return Verdict(lines: lines, problem: nil)
    }

    /// Rollback of `release` brings back the release before it, which cannot read a schema a contract
    /// migration changed: refused when one ran in `release`'s run or any later one (or, when the
    /// release ran no migration, any run since `since`, its first promotion).
    public static func rollback(of release: String, journal: SchemaJournal?, since: Date?) -> Verdict {
        guard let journal, !journal.runs.isEmpty else {
            return Verdict(lines: ["schema: no migration runs recorded; nothing to check"], problem: nil)
        }
        let start = journal.runs.firstIndex { $0.release == release }
            ?? since.flatMap { since in journal.runs.firstIndex { $0.at >= since } }
        guard let start else {
            return Verdict(lines: ["schema: no migration ran with or after release \(release)"], problem: nil)
        }
        let later = journal.runs[start...]
        let contracts = later.flatMap { run in run.applied.filter { $0.migrationClass.kind == .contract }.map { (run, $0) } }
        guard !contracts.isEmpty else {
            let count = later.reduce(0) { $0 + $1.applied.count }
            return Verdict(lines: ["schema: \(count) migration\(count == 1 ? "" : "s") ran with or after release \(release), none of them contract: the release before can read the schema"], problem: nil)
        }
        let named = contracts.map { run, record in
            "\(record.name) (\(record.migrationClass.summary)), applied \(time(run.at)) by release \(run.release)"
        }
        return Verdict(lines: ["schema: contract migrations ran with or after release \(release): " + named.joined(separator: "; ")],
                       problem: "rolling back \(release) would bring back code that cannot read the schema: " + named.joined(separator: "; ") + "\nhint: fix forward with a new release instead; if the team knows the old code never touches what changed, `--force --reason TEXT` rolls back anyway and records why")
    }

    static func describe(_ run: SchemaRun) -> String {
        var kinds: [String: Int] = [:]
        for record in run.applied { kinds[record.migrationClass.kind.rawValue, default: 0] += 1 }
        let summary = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let applied = "\(run.applied.count) applied" + (summary.isEmpty ? "" : " (\(summary))")
        return "\(run.succeeded ? "succeeded" : "FAILED"), \(applied), \(run.alreadyApplied.count) already applied" + (run.source == "migrate deploy" ? "" : " [\(run.source)]")
    }

    static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

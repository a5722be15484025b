import CutoverCore
import CutoverJenkins
import Foundation
import Logging

/// Keeps Jenkins in step with the config: reads the source, validates, and registers only what
/// differs. One run at a time; requests during a run coalesce into one more run. An invalid config
/// never reaches Jenkins (the last good one stays registered) and its diagnostics are kept for
/// `GET /v1/reconcile`. A failure (source or Jenkins) is retried with `backoff`.
public actor Reconciler {
    public let source: any ConfigSource
    public let registrar: any PipelineRegistrar
    public let prune: Bool
    public let backoff: Backoff
    private let logger: Logger

    private var status: ReconcileStatus
    /// The digest of the registered config, and of the last invalid one (reported once, not per tick).
    private var appliedDigest: String?
    private var rejectedDigest: String?
    private var failedDigest: String?
    /// The last failure was reading the source: wait out the backoff before reading it again.
    private var sourceFailing = false
    private var lastGood: Config?
    private var pending: (reason: String, force: Bool)?
    private var loop: Task<Void, Never>?
    private var retry: Task<Void, Never>?
    private var startedRuns = 0
    private var finishedRuns = 0
    /// Runs that ended with each outcome (skipped ticks, the config unchanged, are not runs), for
    /// `cutover_reconcile_total`.
    private var outcomes: [ReconcileStatus.Run.Outcome: Int] = [:]

    public init(source: any ConfigSource, registrar: any PipelineRegistrar, prune: Bool, backoff: Backoff = Backoff(), logger: Logger) {
        self.source = source
        self.registrar = registrar
        self.prune = prune
        self.backoff = backoff
        self.logger = logger
        status = ReconcileStatus(source: source.description, running: false, prune: prune, applied: nil, lastRun: nil,
                                 diagnostics: [], failures: 0, retryAt: nil)
    }

    /// The status `GET /v1/reconcile` shows.
    public func currentStatus() -> ReconcileStatus { status }

    /// How many runs ended with each outcome since the start.
    public func runCounts() -> [ReconcileStatus.Run.Outcome: Int] { outcomes }

    /// The registered (last good) config and its digest, read together; nil before the first good run.
    public func applied() -> (digest: String, config: Config)? {
        guard let lastGood, let appliedDigest else { return nil }
        return (appliedDigest, lastGood)
    }

    /// Asks for a run and returns at once. `force` registers even when the config is unchanged (to
    /// restore hand edits in Jenkins); without it, an unchanged or already-rejected config is skipped.
    public func request(reason: String, force: Bool) {
        pending = (reason, (pending?.force ?? false) || force)
        if loop == nil {
            loop = Task { await self.drain() }
        }
    }

    /// Asks for a forced run and waits for it (or `timeout`). Returns the status and whether the run
    /// finished in time.
    public func reconcileNow(reason: String, timeout: Duration) async -> (ReconcileStatus, finished: Bool) {
        let ticket = startedRuns + 1
        request(reason: reason, force: true)
        let end = ContinuousClock.now + timeout
        while finishedRuns < ticket, ContinuousClock.now < end {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
        }
        return (status, finishedRuns >= ticket)
    }

    /// Returns when no run is in progress or pending (shutdown waits for the current registration).
    public func idle() async {
        retry?.cancel()
        while let loop { await loop.value }
    }

    private func drain() async {
        while let next = pending {
            pending = nil
            startedRuns += 1
            status.running = true
            let previous = status.lastRun?.startedAt
            await run(reason: next.reason, force: next.force)
            if let run = status.lastRun, run.startedAt != previous { outcomes[run.outcome, default: 0] += 1 }
            status.running = false
            finishedRuns += 1
        }
        loop = nil
    }

    private func run(reason: String, force: Bool) async {
        let started = Date()
        if !force, sourceFailing, let retryAt = status.retryAt, retryAt > started { return }
        let snapshot: ConfigSnapshot
        do {
            snapshot = try await source.snapshot()
            sourceFailing = false
        } catch {
            sourceFailing = true
            let code = (error as? ConfigSourceError)?.code ?? "source.unreadable"
            fail(reason: reason, started: started, snapshot: nil, code: code, message: "\(error)", changes: [])
            return
        }
        if !force {
            if snapshot.digest == appliedDigest, status.failures == 0 { return }
            if snapshot.digest == rejectedDigest { return }
            if snapshot.digest == failedDigest, let retryAt = status.retryAt, retryAt > Date() { return }
        }
        let config: Config
        do {
            config = try ConfigLoader.parse(snapshot.text, file: snapshot.file)
        } catch let error as ConfigError {
            reject(error.diagnostics, reason: reason, started: started, snapshot: snapshot)
            return
        } catch {
            reject([Diagnostic(location: SourceLocation(file: snapshot.file, line: 1, column: 1), path: "", message: "\(error)",
                               hint: "run `cutover validate` on the file")], reason: reason, started: started, snapshot: snapshot)
            return
        }
        status.diagnostics = []
        rejectedDigest = nil
        let steps: [RegistrationStep]
        do {
            steps = try await registrar.register(config, prune: prune)
        } catch {
            let code = (error as? any CutoverError)?.code ?? "jenkins.unavailable"
            fail(reason: reason, started: started, snapshot: snapshot, code: code, message: "\(error)", changes: [])
            return
        }
        let changes = steps.filter { [.create, .update, .prune].contains($0.action) || $0.error != nil }.map {
            ReconcileStatus.Change(path: $0.path.description, kind: $0.kind.rawValue, action: $0.action.rawValue, error: $0.error)
        }
        let failed = changes.filter { $0.error != nil }
        if !failed.isEmpty {
            fail(reason: reason, started: started, snapshot: snapshot, code: "reconcile.partial",
                 message: "\(failed.count) of \(steps.count) items failed: " + failed.map { "\($0.path): \($0.error ?? "")" }.joined(separator: "; "),
                 changes: changes)
            return
        }
        appliedDigest = snapshot.digest
        failedDigest = nil
        lastGood = config
        status.failures = 0
        status.retryAt = nil
        retry?.cancel()
        status.applied = .init(digest: snapshot.digest, revision: snapshot.revision, at: Date())
        status.lastRun = .init(reason: reason, startedAt: started, finishedAt: Date(), outcome: .applied, digest: snapshot.digest,
                               revision: snapshot.revision, changes: changes, error: nil)
        let count = { (action: String) in changes.filter { $0.action == action }.count }
        logger.info("reconciled", metadata: [
            "reason": .string(reason), "items": .stringConvertible(steps.count), "created": .stringConvertible(count("created")),
            "updated": .stringConvertible(count("updated")), "pruned": .stringConvertible(count("pruned")),
            "digest": .string(String(snapshot.digest.prefix(12))),
        ])
    }

    private func reject(_ diagnostics: [Diagnostic], reason: String, started: Date, snapshot: ConfigSnapshot) {
        status.diagnostics = diagnostics.map(ReconcileStatus.Problem.init)
        status.lastRun = .init(reason: reason, startedAt: started, finishedAt: Date(), outcome: .invalid, digest: snapshot.digest,
                               revision: snapshot.revision, changes: [],
                               error: .init(code: "config.invalid", message: "\(diagnostics.count) problem(s); nothing was sent to Jenkins"))
        if rejectedDigest != snapshot.digest {
            for diagnostic in diagnostics {
                logger.error("config invalid: \(diagnostic.location): \(diagnostic.path.isEmpty ? "" : diagnostic.path + ": ")\(diagnostic.message)",
                             metadata: ["code": "config.invalid", "hint": .string(diagnostic.hint)])
            }
            logger.warning("kept the last good pipelines registered", metadata: ["digest": .string(String((appliedDigest ?? "none").prefix(12)))])
        }
        rejectedDigest = snapshot.digest
    }

    private func fail(reason: String, started: Date, snapshot: ConfigSnapshot?, code: String, message: String, changes: [ReconcileStatus.Change]) {
        status.failures += 1
        failedDigest = snapshot?.digest
        let delay = backoff.delay(afterFailures: status.failures)
        status.retryAt = Date().addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        status.lastRun = .init(reason: reason, startedAt: started, finishedAt: Date(), outcome: .failed, digest: snapshot?.digest,
                               revision: snapshot?.revision, changes: changes, error: .init(code: code, message: message))
        logger.error("reconcile failed", metadata: ["code": .string(code), "error": .string(message),
                                                    "failures": .stringConvertible(status.failures), "retry_in_s": .stringConvertible(delay.components.seconds)])
        retry?.cancel()
        retry = Task { [weak self] in
            do { try await Task.sleep(for: delay) } catch { return }
            await self?.request(reason: "retry", force: true)
        }
    }
}

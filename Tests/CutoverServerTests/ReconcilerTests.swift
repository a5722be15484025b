import CutoverCore
import CutoverJenkins
@testable import CutoverServer
import CutoverTesting
import Foundation
import Testing

/// The reconcile loop over a real file and a fake registrar: what reaches "Jenkins", and when.
@Suite("Reconciler: validate, coalesce, retry")
struct ReconcilerTests {
    static let invalidValue = "kind: instances-please"

    @Test func anInvalidEditNeverReachesJenkinsAndIsReportedWithItsPosition() async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        let reconciler = harness.reconciler
        await reconciler.request(reason: "watch", force: false)
        #expect(await eventually { await harness.registrar.count == 1 })
        let good = try #require(await reconciler.currentStatus().applied)

        let broken = Fixtures.minimalYAML().replacingOccurrences(of: "kind: instances", with: Self.invalidValue)
        try broken.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
        let line = try #require(broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(Self.invalidValue) }) + 1
        let (status, finished) = await reconciler.reconcileNow(reason: "test", timeout: .seconds(5))
        #expect(finished)
        #expect(await harness.registrar.count == 1, "nothing was registered")
        #expect(status.lastRun?.outcome == .invalid)
        #expect(status.lastRun?.error?.code == "config.invalid")
        #expect(status.applied == good, "the last good config stays registered")
        #expect(await reconciler.applied()?.config.environments.first?.services.first?.kind == .instances)
        let problem = try #require(status.diagnostics.first { $0.path == "services.web.kind" }, "\(status.diagnostics)")
        #expect(problem.location == "\(harness.configPath):\(line):\(problem.column)" && problem.line == line && problem.column > 1)
        #expect(problem.message.contains("instances-please") && !problem.hint.isEmpty)
        #expect(harness.capture.text.contains("\(harness.configPath):\(line):\(problem.column)"), "the log names the position")

        // The same invalid text on the next ticks: not re-reported, still not registered.
        let logged = harness.capture.text.components(separatedBy: "config invalid").count
        for _ in 0..<3 { await reconciler.request(reason: "watch", force: false) }
        await reconciler.idle()
        #expect(harness.capture.text.components(separatedBy: "config invalid").count == logged)
        #expect(await harness.registrar.count == 1)

        try Fixtures.minimalYAML(services: "  web:\n    kind: instances\n    listener: web\n    target_groups: {blue: b, green: g}")
            .write(toFile: harness.configPath, atomically: true, encoding: .utf8)
        await reconciler.request(reason: "watch", force: false)
        #expect(await eventually { await harness.registrar.count == 2 })
        #expect(await eventually { await reconciler.currentStatus().diagnostics.isEmpty })
    }

    @Test func anUnchangedConfigIsRegisteredAgainOnlyWhenForced() async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        for _ in 0..<3 {
            await harness.reconciler.request(reason: "watch", force: false)
            await harness.reconciler.idle()
        }
        #expect(await harness.registrar.count == 1)
        let (status, finished) = await harness.reconciler.reconcileNow(reason: "api", timeout: .seconds(5))
        #expect(finished && status.lastRun?.reason == "api" && status.lastRun?.outcome == .applied)
        #expect(await harness.registrar.count == 2)
    }

    @Test func aBurstCoalescesIntoOneMoreRun() async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        await harness.registrar.gate(closed: true)
        await harness.reconciler.request(reason: "first", force: true)
        #expect(await eventually { await harness.registrar.count == 1 })
        for index in 0..<20 { await harness.reconciler.request(reason: "burst \(index)", force: true) }
        #expect(await harness.registrar.count == 1, "one run at a time")
        await harness.registrar.gate(closed: false)
        await harness.reconciler.idle()
        #expect(await harness.registrar.count == 2, "twenty requests during a run make one more run")
        #expect(await harness.reconciler.currentStatus().lastRun?.reason == "burst 19")
    }

    @Test func jenkinsFailuresRetryWithBackoffUntilTheyPass() async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        await harness.registrar.failing(with: JenkinsError(.unavailable, "connection refused: http://127.0.0.1:9/"))
        await harness.reconciler.request(reason: "watch", force: false)
        #expect(await eventually { await harness.reconciler.currentStatus().failures >= 2 }, "retried without a new request")
        let failing = await harness.reconciler.currentStatus()
        #expect(failing.lastRun?.outcome == .failed && failing.lastRun?.error?.code == "jenkins.unavailable")
        #expect(failing.retryAt != nil && failing.applied == nil)
        await harness.registrar.failing(with: nil)
        #expect(await eventually { await harness.reconciler.currentStatus().applied != nil })
        let recovered = await harness.reconciler.currentStatus()
        #expect(recovered.failures == 0 && recovered.retryAt == nil && recovered.lastRun?.outcome == .applied)
        #expect(harness.capture.text.contains("code=jenkins.unavailable"))
    }

    @Test func backoffDoublesUpToItsCap() {
        let backoff = Backoff(base: .seconds(5), cap: .seconds(300))
        #expect((1...8).map { backoff.delay(afterFailures: $0) } == [5, 10, 20, 40, 80, 160, 300, 300].map { Duration.seconds($0) })
        #expect(backoff.delay(afterFailures: 10_000) == .seconds(300))
    }

    @Test func aMissingFileIsAFailureNotAnInvalidConfig() async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        try FileManager.default.removeItem(atPath: harness.configPath)
        let (status, _) = await harness.reconciler.reconcileNow(reason: "test", timeout: .seconds(5))
        #expect(status.lastRun?.outcome == .failed && status.lastRun?.error?.code == "source.unreadable")
        #expect(await harness.registrar.count == 0)
    }
}

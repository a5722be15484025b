@testable import CutoverServer
import Foundation
import HummingbirdTesting
import Testing

/// A runner that reports two lines, then waits for abort or a go signal, as a promote waits on a bake.
struct ScriptedRunner: OperationRunner {
    let kind = "promote"
    let hold: Duration

    func run(_ request: OperationRequest, context: OperationContext) async -> OperationOutcome {
        await context.emit("promoting \(request.environment)")
        await context.emit("weights 90/10")
        let end = ContinuousClock.now + hold
        while ContinuousClock.now < end {
            if await context.isAbortRequested {
                await context.emit("reverted")
                return OperationOutcome(exitCode: 130, errorCode: "step.aborted", errorMessage: "aborted; every group put back")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return OperationOutcome(exitCode: 0, result: Data(#"{"ok":true}"#.utf8))
    }
}

@Suite("Operation registry: ids, events by offset, abort, drain")
struct OperationRegistryTests {
    @Test func anOperationRunsToItsEndAndItsLogReadsFromAnyOffset() async throws {
        let registry = OperationRegistry(runners: [ScriptedRunner(hold: .milliseconds(50))])
        let started = try await registry.start(kind: "promote", request: OperationRequest(environment: "staging"))
        #expect(started.state == .running && started.id.hasPrefix("op-") && started.environment == "staging")
        #expect(await eventually { await registry.summary(started.id)?.state == .succeeded })
        let events = try #require(await registry.events(started.id, from: 0))
        #expect(events.map(\.message) == ["promoting staging", "weights 90/10", "exit 0"])
        #expect(events.map(\.offset) == [0, 1, 2] && events.last?.kind == .result)
        #expect(await registry.events(started.id, from: 2)?.map(\.message) == ["exit 0"])
        #expect(await registry.events(started.id, from: 9)?.isEmpty == true)
        #expect(await registry.events("op-unknown", from: 0) == nil)
        let summary = try #require(await registry.summary(started.id))
        #expect(summary.outcome?.exitCode == 0 && summary.events == 3 && summary.finishedAt != nil)
        #expect(await registry.list().map(\.id) == [started.id])
    }

    @Test func abortIsTheRunnersToCarryOut() async throws {
        let registry = OperationRegistry(runners: [ScriptedRunner(hold: .seconds(30))])
        let started = try await registry.start(kind: "promote", request: OperationRequest(environment: "production"))
        await registry.waitForEvents(started.id, beyond: 1)
        #expect(await registry.abort(started.id)?.state == .aborting)
        #expect(await eventually { await registry.summary(started.id)?.state == .aborted })
        #expect(await registry.events(started.id, from: 0)?.map(\.message).suffix(2) == ["reverted", "exit 130 step.aborted"])
        #expect(await registry.abort("op-unknown") == nil)
    }

    @Test func drainRefusesNewWorkAndAbortsWhatOutlivesTheDeadline() async throws {
        let registry = OperationRegistry(runners: [ScriptedRunner(hold: .seconds(30))])
        let started = try await registry.start(kind: "promote", request: OperationRequest(environment: "staging"))
        // The runner holds for 30 s unless aborted: an empty `left` means drain's abort ended it.
        let left = await registry.drain(deadline: .milliseconds(100), abortGrace: .seconds(25))
        #expect(left.isEmpty)
        #expect(await registry.summary(started.id)?.state == .aborted)
        await #expect(throws: OperationError.shuttingDown) { try await registry.start(kind: "promote", request: OperationRequest(environment: "staging")) }
        await #expect(throws: OperationError.self) { try await OperationRegistry().start(kind: "promote", request: OperationRequest(environment: "x")) }
    }

    @Test(arguments: Transport.allCases)
    func theAPIListsAndShowsOperations(transport: Transport) async throws {
        let harness = try Harness(runners: [ScriptedRunner(hold: .zero)])
        defer { harness.cleanUp() }
        let started = try await harness.operations.start(kind: "promote", request: OperationRequest(environment: "staging"))
        #expect(await eventually { await harness.operations.summary(started.id)?.state == .succeeded })
        try await harness.app.test(transport.setup) { client in
            let list = try await client.execute(uri: "/v1/operations", method: .get, headers: bearer(Secrets.read))
            let operations = try #require(list.json?["operations"] as? [[String: Any]])
            #expect(operations.map { $0["id"] as? String } == [started.id])
            let one = try await client.execute(uri: "/v1/operations/\(started.id)", method: .get, headers: bearer(Secrets.read))
            #expect(one.status == .ok)
            #expect(one.json?["state"] as? String == "succeeded" && one.json?["kind"] as? String == "promote")
            #expect((one.json?["outcome"] as? [String: Any])?["exitCode"] as? Int == 0)
        }
    }
}

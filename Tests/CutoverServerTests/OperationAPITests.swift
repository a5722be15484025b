import CutoverCore
@testable import CutoverServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A runner that refuses what a step's parser would refuse, and otherwise reports like ScriptedRunner.
struct CheckedRunner: OperationRunner {
    let kind = "promote"
    let inner = ScriptedRunner(hold: .milliseconds(50))

    func check(_ request: OperationRequest) throws {
        let step = try StepRequest.decode(request.options)
        guard step.arguments.contains(where: { $0.hasPrefix("--release=") }) else { throw StepRequestError("promote: Missing expected argument '--release <name>'") }
    }

    func run(_ request: OperationRequest, context: OperationContext) async -> OperationOutcome {
        await inner.run(request, context: context)
    }
}

/// The streaming answers run in-process only: over a socket, HummingbirdTesting gives a whole answer 20 s,
/// which a test process whose threads other suites block can miss. A real daemon's streams over real
/// sockets, with real clients, are SidecarOnMotoTests' (the CLI client, a cut connection, curl-like reads).
@Suite("Operations API: start and stream, follow from an offset, abort, refusals")
struct OperationAPITests {
    static func lines(_ response: TestResponse) -> [[String: Any]] {
        response.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test(arguments: [Transport.router])
    func aStartedStepStreamsItsLogAndEndsWithItsOutcome(transport: Transport) async throws {
        let harness = try Harness(runners: [CheckedRunner()])
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let started = try await client.execute(uri: "/v1/environments/staging/promote", method: .post, headers: bearer(Secrets.operate),
                                                   body: ByteBuffer(string: #"{"release": "r2"}"#))
            #expect(started.status == .created)
            #expect(started.headers[.contentType] == "application/x-ndjson")
            let lines = Self.lines(started)
            #expect(lines.map { $0["type"] as? String } == ["operation", "event", "event", "event", "end"], "\(started.text)")
            #expect(lines.dropFirst().dropLast().map { $0["message"] as? String } == ["promoting staging", "weights 90/10", "exit 0"])
            #expect(lines.dropFirst().dropLast().map { $0["offset"] as? Int } == [0, 1, 2])
            let end = try #require(lines.last?["operation"] as? [String: Any])
            #expect(end["state"] as? String == "succeeded" && (end["outcome"] as? [String: Any])?["exitCode"] as? Int == 0)
            let id = try #require(end["id"] as? String)
            #expect(started.headers[.location] == "/v1/operations/\(id)")

            // Re-attach from offset 2: only the result, then the end.
            let tail = try await client.execute(uri: "/v1/operations/\(id)/events?from=2", method: .get, headers: bearer(Secrets.read))
            #expect(Self.lines(tail).map { $0["type"] as? String } == ["operation", "event", "end"])
            #expect(Self.lines(tail)[1]["message"] as? String == "exit 0")
            let list = try await client.execute(uri: "/v1/operations/\(id)/events?from=0&follow=false", method: .get, headers: bearer(Secrets.read))
            #expect((list.json?["events"] as? [Any])?.count == 3)
            let bad = try await client.execute(uri: "/v1/operations/\(id)/events?from=-1", method: .get, headers: bearer(Secrets.read))
            #expect(bad.status == .badRequest && ErrorBody.decode(bad)?.code == "operation.bad-offset")
        }
    }

    @Test(arguments: Transport.allCases)
    func refusalsStartNothing(transport: Transport) async throws {
        let harness = try Harness(runners: [CheckedRunner()])
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let readOnly = try await client.execute(uri: "/v1/environments/staging/promote", method: .post, headers: bearer(Secrets.read),
                                                    body: ByteBuffer(string: #"{"release": "r2"}"#))
            #expect(readOnly.status == .forbidden)
            let missing = try await client.execute(uri: "/v1/environments/staging/promote", method: .post, headers: bearer(Secrets.operate),
                                                   body: ByteBuffer(string: "{}"))
            #expect(missing.status == .badRequest && ErrorBody.decode(missing)?.message.contains("--release") == true, "\(missing.text)")
            let notJSON = try await client.execute(uri: "/v1/environments/staging/promote", method: .post, headers: bearer(Secrets.operate),
                                                   body: ByteBuffer(string: "release=r2"))
            #expect(notJSON.status == .badRequest && ErrorBody.decode(notJSON)?.code == "operation.bad-request")
            let unknown = try await client.execute(uri: "/v1/environments/staging/promot", method: .post, headers: bearer(Secrets.operate),
                                                   body: ByteBuffer(string: "{}"))
            #expect(unknown.status == .notFound && ErrorBody.decode(unknown)?.message.contains("promote") == true)
            let abortUnknown = try await client.execute(uri: "/v1/operations/op-nope/abort", method: .post, headers: bearer(Secrets.operate))
            #expect(abortUnknown.status == .notFound)
        }
        #expect(await harness.operations.list().isEmpty)
    }

    @Test(arguments: [Transport.router])
    func abortAsksTheRunnerAndTheStateSaysSo(transport: Transport) async throws {
        // Held far longer than any stall of a loaded test process: only the abort can end it.
        let harness = try Harness(runners: [ScriptedRunner(hold: .seconds(900))])
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let started = try await client.execute(uri: "/v1/environments/staging/promote?follow=false", method: .post,
                                                   headers: bearer(Secrets.operate), body: ByteBuffer(string: "{}"))
            #expect(started.status == .accepted)
            let id = try #require(started.json?["id"] as? String)
            let readAbort = try await client.execute(uri: "/v1/operations/\(id)/abort", method: .post, headers: bearer(Secrets.read))
            #expect(readAbort.status == .forbidden)
            let abort = try await client.execute(uri: "/v1/operations/\(id)/abort", method: .post, headers: bearer(Secrets.operate))
            #expect(abort.status == .accepted && abort.json?["state"] as? String == "aborting")
            let followed = try await client.execute(uri: "/v1/operations/\(id)/events", method: .get, headers: bearer(Secrets.read))
            let end = try #require(Self.lines(followed).last?["operation"] as? [String: Any])
            #expect(end["state"] as? String == "aborted")
            #expect(Self.lines(followed).compactMap { $0["message"] as? String }.suffix(2) == ["reverted", "exit 130 step.aborted"])
        }
    }
}

@Suite("Step requests: JSON options become one argument each, never code")
struct StepRequestTests {
    @Test func optionsBecomeArgumentsWithTheirValuesAttached() throws {
        let request = try StepRequest.decode(Data(#"{"release": "r2", "dryRun": true, "force": false, "service": null, "steps": 3, "only": ["a", "b"]}"#.utf8))
        #expect(request.arguments == ["--dry-run", "--only=a", "--only=b", "--release=r2", "--steps=3"])
        #expect(try StepRequest.decode(Data()).arguments.isEmpty)
    }

    @Test func aHostileValueStaysOneArgument() throws {
        let hostile = "--force $(touch /tmp/pwned) `id` ${HOME}\n'\""
        let body = try JSONSerialization.data(withJSONObject: ["release": hostile, "reason": "; rm -rf /"])
        let request = try StepRequest.decode(body)
        #expect(request.arguments == ["--reason=; rm -rf /", "--release=\(hostile)"])
    }

    @Test func whatTheDaemonDecidesCannotBeSent() {
        for body in [#"{"config": "x.yml"}"#, #"{"env": "production"}"#, #"{"state": "/tmp/s"}"#, #"{"server": "http://x"}"#,
                     #"{"arguments": ["--env=production"]}"#, #"{"arguments": ["-c", "/etc/other.yml"]}"#,
                     #"{"arguments": ["--database-url", "postgresql://u:p@h/db"]}"#, #"{"help": true}"#] {
            #expect(throws: StepRequestError.self, "\(body)") { try StepRequest.decode(Data(body.utf8)) }
        }
        // After `--`, words are values, not options.
        #expect((try? StepRequest.decode(Data(#"{"arguments": ["--", "--env"]}"#.utf8)))?.arguments == ["--", "--env"])
    }

    @Test func pathsMustBeAbsoluteAndBuildVariablesAreAllowListed() throws {
        #expect(throws: StepRequestError.self) { try StepRequest.decode(Data(#"{"config": "cutover.yml"}"#.utf8)) }
        #expect(throws: StepRequestError.self) { try StepRequest.decode(Data(#"{"workingDirectory": "ws"}"#.utf8)) }
        #expect(throws: StepRequestError.self) { try StepRequest.decode(Data(#"{"build": {"AWS_SECRET_ACCESS_KEY": "x"}}"#.utf8)) }
        #expect(throws: StepRequestError.self) { try StepRequest.decode(Data(#"{"build": {"BUILD_URL": "a\nb"}}"#.utf8)) }
        let request = try StepRequest.decode(Data(#"{"config": "/ws/cutover.yml", "build": {"BUILD_URL": "https://ci/job/1/"}}"#.utf8))
        #expect(request.config == "/ws/cutover.yml" && request.build == ["BUILD_URL": "https://ci/job/1/"])
    }

    @Test func theStepGetsTheDaemonsCredentialsButNoneOfItsTokens() {
        let daemon = ["AWS_ACCESS_KEY_ID": "AKID", "CUTOVER_API_TOKEN": "t1", "CUTOVER_READ_TOKEN": "t2", "CUTOVER_WEBHOOK_SECRET": "s",
                      "JENKINS_TOKEN": "j", "CUTOVER_SERVER": "http://127.0.0.1:8780", "DATABASE_URL_STAGING": "postgresql://stg",
                      "DATABASE_URL_PRODUCTION": "postgresql://prd", "PATH": "/usr/bin"]
        let child = ProcessStepRunner.childEnvironment(daemon, for: "staging", build: ["BUILD_URL": "https://ci/1/"], operation: "op-1")
        #expect(child == ["AWS_ACCESS_KEY_ID": "AKID", "DATABASE_URL": "postgresql://stg", "PATH": "/usr/bin", "BUILD_URL": "https://ci/1/",
                          "CUTOVER_OPERATION": "op-1"])
    }

    @Test func theLastErrorLineIsTheOutcomesCode() {
        #expect(ProcessStepRunner.errorLine("error[promote.preflight]: promotion would be refused")! == ("promote.preflight", "promotion would be refused"))
        #expect(ProcessStepRunner.errorLine("promote: step 1 of 3") == nil)
    }

    @Test func theClientSendsAnEnvironmentOrIdAsOnePathSegment() {
        #expect(SidecarClient.segment("staging") == "staging")
        #expect(SidecarClient.segment("op-1a_b.c~d") == "op-1a_b.c~d")
        #expect(SidecarClient.segment("a/../b?x=1#f") == "a%2F..%2Fb%3Fx%3D1%23f")
        #expect(SidecarClient.segment("100% é") == "100%25%20%C3%A9")
    }

    @Test func bytesAsLowercaseHex() {
        #expect([UInt8]([0x00, 0x0f, 0xa0, 0xff]).lowercaseHex == "000fa0ff")
        #expect(StepRequest.configDigest(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

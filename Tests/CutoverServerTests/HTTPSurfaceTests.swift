@testable import CutoverServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The API's HTTP contract, in-process and over a real socket: the same test body for both.
@Suite("HTTP surface: auth, limits, errors")
struct HTTPSurfaceTests {
    @Test(arguments: Transport.allCases)
    func healthAndReadinessNeedNoToken(transport: Transport) async throws {
        let harness = try Harness(checks: [ClosureCheck("jenkins") {}, ClosureCheck("state") {}])
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(health.json?["status"] as? String == "alive")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(ready.json?["ready"] as? Bool == true)
            #expect((ready.json?["checks"] as? [[String: Any]])?.map { $0["name"] as? String } == ["jenkins", "state"])
        }
    }

    @Test(arguments: Transport.allCases)
    func readinessIs503AndNamesWhatIsDown(transport: Transport) async throws {
        struct Down: Error, CustomStringConvertible { var description: String { "connection refused: http://127.0.0.1:9/" } }
        let harness = try Harness(checks: [ClosureCheck("jenkins") { throw Down() }, ClosureCheck("state") {},
                                           ClosureCheck("aws") { try await Task.sleep(for: .seconds(30)) }])
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            // The hung check answers "no answer" below: bounded by the readiness timeout, not its 30 s sleep.
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            let checks = try #require(ready.json?["checks"] as? [[String: Any]])
            #expect(ready.json?["ready"] as? Bool == false)
            #expect(checks[0]["ok"] as? Bool == false && (checks[0]["message"] as? String)?.contains("connection refused") == true)
            #expect(checks[1]["ok"] as? Bool == true && checks[1]["message"] == nil)
            #expect(checks[2]["ok"] as? Bool == false && (checks[2]["message"] as? String)?.contains("no answer") == true)
        }
    }

    @Test(arguments: Transport.allCases)
    func tokensAndScopes(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let missing = try await client.execute(uri: "/v1/operations", method: .get)
            #expect(missing.status == .unauthorized)
            #expect(ErrorBody.decode(missing)?.code == "auth.unauthorized")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

            let wrong = try await client.execute(uri: "/v1/operations", method: .get, headers: bearer(Secrets.operate + "x"))
            #expect(wrong.status == .unauthorized)
            #expect(ErrorBody.decode(wrong)?.code == "auth.unauthorized")

            let basic = try await client.execute(uri: "/v1/operations", method: .get, headers: [.authorization: "Basic \(Secrets.read)"])
            #expect(basic.status == .unauthorized)

            let read = try await client.execute(uri: "/v1/operations", method: .get, headers: bearer(Secrets.read))
            #expect(read.status == .ok)
            #expect((read.json?["operations"] as? [Any])?.isEmpty == true)
            let operate = try await client.execute(uri: "/v1/operations", method: .get, headers: bearer(Secrets.operate))
            #expect(operate.status == .ok, "operate includes read")

            let forbidden = try await client.execute(uri: "/v1/reconcile", method: .post, headers: bearer(Secrets.read))
            #expect(forbidden.status == .forbidden)
            #expect(ErrorBody.decode(forbidden)?.code == "auth.forbidden")
            #expect(await harness.registrar.count == 0, "a refused request runs nothing")
        }
    }

    @Test(arguments: Transport.allCases)
    func unknownPathsMethodsAndIds(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let unknown = try await client.execute(uri: "/v1/nothing-here", method: .get, headers: bearer(Secrets.read))
            #expect(unknown.status == .notFound)
            #expect(ErrorBody.decode(unknown)?.code == "http.not-found")

            let method = try await client.execute(uri: "/v1/reconcile", method: .delete, headers: bearer(Secrets.operate))
            #expect(method.status == .methodNotAllowed)
            #expect(ErrorBody.decode(method)?.code == "http.method-not-allowed")
            #expect(method.headers[.allow] == "GET, POST")
            let health = try await client.execute(uri: "/healthz", method: .post)
            #expect(health.status == .methodNotAllowed)
            #expect(health.headers[.allow] == "GET")

            let operation = try await client.execute(uri: "/v1/operations/op-nope", method: .get, headers: bearer(Secrets.read))
            #expect(operation.status == .notFound)
            #expect(ErrorBody.decode(operation)?.code == "operation.not-found")
            #expect(operation.headers[.contentType] == "application/json")
        }
    }

    @Test(arguments: Transport.allCases)
    func bodiesOver64KiBAre413(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let big = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024 + 1)
            let tooLarge = try await client.execute(uri: "/v1/reconcile", method: .post, headers: bearer(Secrets.operate), body: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(ErrorBody.decode(tooLarge)?.code == "http.body-too-large")
            let hook = try await client.execute(uri: "/v1/hooks/git", method: .post, body: big)
            #expect(hook.status == .contentTooLarge)
            #expect(await harness.registrar.count == 0)

            let fits = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
            let accepted = try await client.execute(uri: "/v1/reconcile", method: .post, headers: bearer(Secrets.operate), body: fits)
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(await harness.registrar.count == 1)
        }
    }

    /// Tokens travel in every request above; none may reach the log, which must still say what happened.
    @Test(arguments: Transport.allCases)
    func tokensNeverReachTheLog(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            for token in [Secrets.operate, Secrets.read, Secrets.operate + "x", "not-a-token-\(Secrets.read)"] {
                _ = try await client.execute(uri: "/v1/operations", method: .get, headers: bearer(token))
                _ = try await client.execute(uri: "/v1/reconcile", method: .post, headers: bearer(token))
                _ = try await client.execute(uri: "/v1/nope", method: .get, headers: bearer(token))
            }
            _ = try await client.execute(uri: "/v1/hooks/git", method: .post, headers: [HTTPField.Name("X-Gitlab-Token")!: Secrets.webhook],
                                         body: ByteBuffer(string: "{}"))
        }
        let log = harness.capture.text
        #expect(log.contains("path=/v1/operations") && log.contains("status=401") && log.contains("status=403"), "\(log)")
        for secret in [Secrets.operate, Secrets.read, Secrets.webhook, "Bearer"] {
            #expect(!log.contains(secret), "the log holds \(secret)")
        }
    }
}

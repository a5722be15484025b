@testable import CutoverServer
import CutoverTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Push webhooks from GitHub (HMAC over the raw body) and GitLab (the secret as a token): a good
/// one reconciles, anything else is 401 and runs nothing.
@Suite("Git push webhooks")
struct WebhookTests {
    static let body = #"{"ref":"refs/heads/main","after":"5d1f0c3a","repository":{"full_name":"shop/release"}}"#

    /// The signature as GitHub computes it, by an independent implementation (openssl).
    static func githubSignature(_ body: String, secret: String) throws -> String {
        let result = try Subprocess.run(Subprocess.which("openssl") ?? "/usr/bin/openssl", ["dgst", "-sha256", "-hmac", secret, "-r"], stdin: body)
        return "sha256=" + (result.stdout.split(separator: " ").first.map(String.init) ?? "")
    }

    static let signature = HTTPField.Name("X-Hub-Signature-256")!
    static let githubEvent = HTTPField.Name("X-GitHub-Event")!
    static let gitlabToken = HTTPField.Name("X-Gitlab-Token")!
    static let gitlabEvent = HTTPField.Name("X-Gitlab-Event")!

    @Test(arguments: Transport.allCases)
    func githubGoodSignatureReconciles(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        let signature = try Self.githubSignature(Self.body, secret: Secrets.webhook)
        #expect(signature.count == 7 + 64)
        try await harness.app.test(transport.setup) { client in
            let response = try await client.execute(uri: "/v1/hooks/git", method: .post,
                                                    headers: [Self.signature: signature, Self.githubEvent: "push"], body: ByteBuffer(string: Self.body))
            #expect(response.status == .accepted, "\(response.text)")
            #expect(response.json?["forge"] as? String == "github" && response.json?["reconciling"] as? Bool == true)
            #expect(await eventually { await harness.registrar.count == 1 })
            #expect(await harness.reconciler.currentStatus().lastRun?.reason == "webhook:github")
        }
    }

    @Test(arguments: Transport.allCases)
    func badGithubSignaturesAre401AndRunNothing(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        let good = try Self.githubSignature(Self.body, secret: Secrets.webhook)
        let cases: [HTTPFields] = [
            [:],
            [Self.signature: try Self.githubSignature(Self.body, secret: "another-secret")],
            [Self.signature: try Self.githubSignature(Self.body + " ", secret: Secrets.webhook)],  // signed another body
            [Self.signature: String(good.dropFirst(7))],  // no sha256= prefix
            [Self.signature: "sha1=" + good.dropFirst(7)],
            [Self.signature: ""],
        ]
        try await harness.app.test(transport.setup) { client in
            for headers in cases {
                let response = try await client.execute(uri: "/v1/hooks/git", method: .post, headers: headers, body: ByteBuffer(string: Self.body))
                #expect(response.status == .unauthorized, "\(headers)")
                #expect(ErrorBody.decode(response)?.code == "hook.signature")
            }
            // The same body with the good signature passes: the cases above failed for their header alone.
            let response = try await client.execute(uri: "/v1/hooks/git", method: .post, headers: [Self.signature: good], body: ByteBuffer(string: Self.body))
            #expect(response.status == .accepted)
        }
        #expect(await eventually { await harness.registrar.count == 1 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(await harness.registrar.count == 1, "only the good delivery reconciled")
    }

    @Test(arguments: Transport.allCases)
    func gitlabToken(transport: Transport) async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        try await harness.app.test(transport.setup) { client in
            let wrong = try await client.execute(uri: "/v1/hooks/git", method: .post,
                                                 headers: [Self.gitlabToken: Secrets.webhook + "x", Self.gitlabEvent: "Push Hook"], body: ByteBuffer(string: Self.body))
            #expect(wrong.status == .unauthorized)
            #expect(ErrorBody.decode(wrong)?.code == "hook.signature")
            try await Task.sleep(for: .milliseconds(100))
            #expect(await harness.registrar.count == 0)

            let good = try await client.execute(uri: "/v1/hooks/git", method: .post,
                                                headers: [Self.gitlabToken: Secrets.webhook, Self.gitlabEvent: "Push Hook"], body: ByteBuffer(string: Self.body))
            #expect(good.status == .accepted)
            #expect(good.json?["forge"] as? String == "gitlab")
            #expect(await eventually { await harness.registrar.count == 1 })
        }
    }

    @Test func pingsAndOtherEventsAreAcknowledgedWithoutReconciling() async throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        let ping = #"{"zen":"Keep it logically awesome.","hook_id":1}"#
        try await harness.app.test(.router) { client in
            let github = try await client.execute(uri: "/v1/hooks/git", method: .post,
                                                  headers: [Self.signature: try Self.githubSignature(ping, secret: Secrets.webhook), Self.githubEvent: "ping"],
                                                  body: ByteBuffer(string: ping))
            #expect(github.status == .accepted)
            #expect(github.json?["reconciling"] as? Bool == false)
            let gitlab = try await client.execute(uri: "/v1/hooks/git", method: .post,
                                                  headers: [Self.gitlabToken: Secrets.webhook, Self.gitlabEvent: "Tag Push Hook"], body: ByteBuffer(string: "{}"))
            #expect(gitlab.json?["reconciling"] as? Bool == false)
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await harness.registrar.count == 0)
    }

    @Test func withoutASecretEveryDeliveryIsRefused() async throws {
        let harness = try Harness(webhookSecret: nil)
        defer { harness.cleanUp() }
        try await harness.app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/hooks/git", method: .post, headers: [Self.gitlabToken: ""], body: ByteBuffer(string: "{}"))
            #expect(response.status == .unauthorized)
            #expect(ErrorBody.decode(response)?.code == "hook.not-configured")
        }
    }
}

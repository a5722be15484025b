import Crypto
import CutoverCore
import Foundation
import HTTPTypes
import Hummingbird

/// Which forge sent a push webhook, and what kind of event it is.
public struct WebhookEvent: Sendable, Equatable {
    public enum Forge: String, Sendable { case github, gitlab }
    public var forge: Forge
    /// `push`, `ping`, `Push Hook`, …, as the forge names it.
    public var name: String

    /// Pushes reconcile; pings and every other event are acknowledged and do nothing.
    public var isPush: Bool {
        switch forge {
        case .github: name == "push"
        case .gitlab: name == "Push Hook"
        }
    }
}

/// Authenticates push webhooks with the shared secret from `CUTOVER_WEBHOOK_SECRET`:
/// GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
/// (docs.github.com, "Validating webhook deliveries") and GitLab's `X-Gitlab-Token: <secret>`
/// (docs.gitlab.com, "Webhooks", secret token). Both compared in constant time.
public struct WebhookVerifier: Sendable {
    private let secret: SymmetricKey?

    public init(secret: String?) {
        self.secret = secret.flatMap { $0.isEmpty ? nil : SymmetricKey(data: Data($0.utf8)) }
    }

    public var isConfigured: Bool { secret != nil }

    /// The event, when the request carries a valid signature or token; throws `hook.signature` (401)
    /// otherwise, and `hook.not-configured` (401) when the server has no secret.
    public func verify(headers: HTTPFields, body: Data) throws -> WebhookEvent {
        guard let secret else {
            throw APIError(.unauthorized, "hook.not-configured", "this server has no webhook secret (set CUTOVER_WEBHOOK_SECRET)")
        }
        if let signature = headers[HTTPField.Name("X-Hub-Signature-256")!] {
            let expected = "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: secret).lowercaseHex
            guard ConstantTime.equal(Data(signature.lowercased().utf8), Data(expected.utf8)) else { throw APIError.webhookSignature }
            return WebhookEvent(forge: .github, name: headers[HTTPField.Name("X-GitHub-Event")!] ?? "push")
        }
        if let token = headers[HTTPField.Name("X-Gitlab-Token")!] {
            let expected = secret.withUnsafeBytes { Data($0) }
            guard ConstantTime.equal(Data(token.utf8), expected) else { throw APIError.webhookSignature }
            return WebhookEvent(forge: .gitlab, name: headers[HTTPField.Name("X-Gitlab-Event")!] ?? "Push Hook")
        }
        throw APIError.webhookSignature
    }
}

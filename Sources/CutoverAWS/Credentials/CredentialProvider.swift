import CutoverHTTP
import CutoverSigV4
import Foundation

/// Somewhere AWS credentials come from. Asked before every signature; providers cache and refresh.
public protocol CredentialProvider: Sendable {
    /// Current credentials; throws `AWSCredentialsError` when this source has none or fails.
    func credentials() async throws -> AWSCredentials
}

/// Credentials given directly (tests, and the resolved result of the environment).
public struct StaticCredentialProvider: CredentialProvider {
    public var value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// The default chain, in botocore's order: environment variables, the shared credentials file
/// (`AWS_PROFILE`), the ECS container endpoint, EC2 instance metadata (IMDSv2). Jenkins agents usually
/// get theirs from the last two, so those are asked lazily and cached until shortly before expiry.
public enum CredentialChain {
    public static func provider(environment: [String: String], transport: any HTTPTransport) throws -> any CredentialProvider {
        // A variable set to "" counts as unset, as in botocore: Jenkins and shells often export empty ones.
        let environment = environment.filter { !$0.value.isEmpty }
        if let key = environment["AWS_ACCESS_KEY_ID"] {
            guard let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
                throw AWSCredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not\nhint: export both, or neither to use a profile or the instance role")
            }
            let token = environment["AWS_SESSION_TOKEN"]
            return StaticCredentialProvider(AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token))
        }
        let profile = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"]
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"]
            ?? environment["HOME"].map { "\($0)/.aws/credentials" }
        if let file, let text = try? String(contentsOfFile: file, encoding: .utf8),
           let found = SharedCredentialsFile.credentials(profile: profile ?? "default", text: text) {
            return StaticCredentialProvider(found)
        }
        if let profile {
            throw AWSCredentialsError("AWS_PROFILE is '\(profile)' but \(file ?? "~/.aws/credentials") has no such profile with aws_access_key_id and aws_secret_access_key")
        }
        if let container = ContainerCredentialProvider(environment: environment, transport: transport) {
            return RefreshingCredentialProvider(source: container)
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw AWSCredentialsError("no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), no profile, no container endpoint, and instance metadata is disabled")
        }
        return RefreshingCredentialProvider(source: InstanceMetadataCredentialProvider(environment: environment, transport: transport))
    }
}

/// Credentials that expire, fetched from an HTTP source.
struct ExpiringCredentials: Sendable {
    var credentials: AWSCredentials
    var expiration: Date?
}

protocol ExpiringCredentialSource: Sendable {
    func fetch() async throws -> ExpiringCredentials
}

/// Caches an expiring source and refreshes five minutes before expiry (as botocore does), with one
/// fetch in flight however many requests are signing at once.
actor RefreshingCredentialProvider: CredentialProvider {
    private let source: any ExpiringCredentialSource
    private var cached: ExpiringCredentials?
    private var inFlight: Task<ExpiringCredentials, any Error>?

    init(source: any ExpiringCredentialSource) {
        self.source = source
    }

    func credentials() async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0.timeIntervalSinceNow > 300 }) ?? true {
            return cached.credentials
        }
        if let inFlight { return try await inFlight.value.credentials }
        let task = Task { [source] in try await source.fetch() }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh.credentials
    }
}

/// The JSON both the container endpoint and instance metadata answer with.
struct CredentialDocument: Decodable {
    var AccessKeyId: String
    var SecretAccessKey: String
    var Token: String?
    var Expiration: String?

    func expiring() -> ExpiringCredentials {
        let formatter = ISO8601DateFormatter()
        let expiration = Expiration.flatMap { formatter.date(from: $0) }
        return ExpiringCredentials(
            credentials: AWSCredentials(accessKeyID: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token),
            expiration: expiration)
    }

    static func decode(_ body: Data, source: String) throws -> CredentialDocument {
        do {
            return try JSONDecoder().decode(CredentialDocument.self, from: body)
        } catch {
            throw AWSCredentialsError("\(source) answered without AccessKeyId/SecretAccessKey: \(error)")
        }
    }
}

import CutoverHTTP
import Foundation

/// EC2 instance metadata, IMDSv2 only: a session token from `PUT /latest/api/token`, then the role's
/// credentials. `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it (as in botocore), which is how tests reach a
/// loopback stand-in.
struct InstanceMetadataCredentialProvider: ExpiringCredentialSource {
    var base: URL
    var transport: any HTTPTransport

    init(environment: [String: String], transport: any HTTPTransport) {
        let endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://169.254.169.254"
        base = URL(string: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint)!
        self.transport = transport
    }

    func fetch() async throws -> ExpiringCredentials {
        let token = try await call("PUT", "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")])
        let session = [("X-aws-ec2-metadata-token", String(decoding: token, as: UTF8.self))]
        let roles = String(decoding: try await call("GET", "/latest/meta-data/iam/security-credentials/", headers: session), as: UTF8.self)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw AWSCredentialsError("this instance has no IAM role (instance metadata lists none)\nhint: attach an instance profile to the agent, or give cutover credentials in the environment")
        }
        let document = try await call("GET", "/latest/meta-data/iam/security-credentials/\(role)", headers: session)
        return try CredentialDocument.decode(document, source: "instance metadata").expiring()
    }

    private func call(_ method: String, _ path: String, headers: [(String, String)]) async throws -> Data {
        let url = URL(string: base.absoluteString + path)!
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers), timeout: .seconds(2))
        } catch {
            throw AWSCredentialsError("no AWS credentials: none in the environment or a profile, and instance metadata (\(base.absoluteString)) did not answer: \(error)\nhint: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, set AWS_PROFILE, or run on an agent with a role")
        }
        guard response.status == 200 else {
            throw AWSCredentialsError("instance metadata \(method) \(path) answered HTTP \(response.status)")
        }
        return response.body
    }
}

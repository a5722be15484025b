import CutoverHTTP
import Foundation

/// The ECS container credentials endpoint (task roles): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on
/// 169.254.170.2, or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with an authorization token from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` or the file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
struct ContainerCredentialProvider: ExpiringCredentialSource {
    var url: URL
    var environment: [String: String]
    var transport: any HTTPTransport

    init?(environment: [String: String], transport: any HTTPTransport) {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty,
           let url = URL(string: "http://169.254.170.2\(relative)") {
            self.url = url
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty, let url = URL(string: full) {
            self.url = url
        } else {
            return nil
        }
        self.environment = environment
        self.transport = transport
    }

    func fetch() async throws -> ExpiringCredentials {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !path.isEmpty {
            guard let token = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw AWSCredentialsError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names \(path), which cannot be read")
            }
            headers.append(("Authorization", token.trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers), timeout: .seconds(5))
        } catch {
            throw AWSCredentialsError("the container credentials endpoint \(url.absoluteString) did not answer: \(error)")
        }
        guard response.status == 200 else {
            throw AWSCredentialsError("the container credentials endpoint \(url.absoluteString) answered HTTP \(response.status)")
        }
        return try CredentialDocument.decode(response.body, source: "the container credentials endpoint").expiring()
    }
}

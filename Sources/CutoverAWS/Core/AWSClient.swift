import CutoverHTTP
import CutoverSigV4
import Foundation

/// Sends signed requests to AWS over the raw request layer, retrying what is worth retrying.
///
/// The protocol clients (ELBv2, ECS, EC2, RDS) build parameters and read answers; this type owns the
/// endpoint, signing, retries and turning error bodies into `AWSError`.
public final class AWSClient: Sendable {
    public let region: String
    public let endpointOverride: URL?
    let transport: any HTTPTransport
    let credentials: any CredentialProvider
    let retry: RetryPolicy
    let timeout: Duration
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date

    public init(transport: any HTTPTransport, credentials: any CredentialProvider, region: String, endpoint: URL? = nil,
                retry: RetryPolicy = RetryPolicy(maxAttempts: 8, base: .milliseconds(50), cap: .seconds(5)),
                timeout: Duration = .seconds(30),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.transport = transport
        self.credentials = credentials
        self.region = region
        self.endpointOverride = endpoint
        self.retry = retry
        self.timeout = timeout
        self.sleep = sleep
        self.now = now
    }

    /// A Query-protocol call (ELBv2, EC2, RDS): returns the `<Action>Result` element (or the root when a
    /// service, like EC2, answers without one).
    public func query(_ service: AWSService, _ action: String, _ parameters: QueryParameters) async throws -> XMLNode {
        guard case .query(let version) = service.wireProtocol else { preconditionFailure("\(service.displayName) is not a Query service") }
        var form = QueryParameters()
        form.add("Action", action)
        form.add("Version", version)
        form.append(parameters)
        let body = Data(form.encoded().utf8)
        let response = try await send(service, action, body: body, headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
        let root: XMLNode
        do {
            root = try XMLNode.parse(response.body)
        } catch {
            throw AWSError(service: service.displayName, action: action, reason: .malformed("\(error)"))
        }
        return root["\(action)Result"] ?? root
    }

    /// A JSON 1.1 call (ECS): `body` is the request document, the answer is returned decoded.
    public func json(_ service: AWSService, _ operation: String, _ body: JSONValue) async throws -> JSONValue {
        guard case .json(let prefix) = service.wireProtocol else { preconditionFailure("\(service.displayName) is not a JSON service") }
        let response = try await send(service, operation, body: body.encoded(), headers: [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "\(prefix).\(operation)"),
        ])
        do {
            return response.body.isEmpty ? .object([:]) : try JSONValue.decode(response.body)
        } catch {
            throw AWSError(service: service.displayName, action: operation, reason: .malformed("\(error)"))
        }
    }

    /// A REST call (S3): `method` and `url` (already percent-encoded) are the operation. Returns a 2xx
    /// answer whole; every other status throws `AWSError` with S3's code, after the usual retries.
    public func rest(_ service: AWSService, _ action: String, method: String, url: URL,
                     headers: [(String, String)] = [], body: Data = Data()) async throws -> HTTPResponse {
        try await send(service, action, method: method, url: url, body: body, headers: headers)
    }

    /// Signs and sends one request, retrying throttling, 5xx and lost connections with full-jitter
    /// backoff. Each attempt is signed afresh: a retry after minutes must not carry a stale date.
    private func send(_ service: AWSService, _ action: String, method: String = "POST", url: URL? = nil,
                      body: Data, headers: [(String, String)]) async throws -> HTTPResponse {
        let url = url ?? service.endpoint(region: region, override: endpointOverride)
        return try await retry.run(sleep: sleep) { _ in
            var request = HTTPRequest(method: method, url: url, headers: [("Host", Self.host(of: url))] + headers, body: body)
            let signer = SigV4Signer(credentials: try await credentials.credentials(), region: region, service: service.signingName)
            request.headers += service.wireProtocol == .restXML
                ? signer.s3SigningHeaders(method: method, url: url, headers: request.headers, body: body, date: now())
                : signer.signingHeaders(method: method, url: url, headers: request.headers, body: body, date: now())
            do {
                let response = try await transport.send(request, timeout: timeout)
                if (200..<300).contains(response.status) { return .done(response) }
                let parsed = Self.parseError(response, protocol: service.wireProtocol)
                return .failed(.response(status: response.status, code: parsed.code),
                               AWSError(service: service.displayName, action: action,
                                        reason: .service(status: response.status, code: parsed.code, message: parsed.message, requestID: parsed.requestID)))
            } catch let error as TransportError {
                return .failed(.transport(error.kind), AWSError(service: service.displayName, action: action, reason: .transport(error.description)))
            }
        }
    }

    static func host(of url: URL) -> String {
        let host = url.host ?? ""
        if let port = url.port, !(url.scheme == "https" && port == 443), !(url.scheme == "http" && port == 80) {
            return "\(host):\(port)"
        }
        return host
    }

    /// The code, message and request id of an error answer in either protocol's shape.
    static func parseError(_ response: HTTPResponse, protocol wire: AWSService.WireProtocol) -> (code: String, message: String, requestID: String?) {
        let headerID = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        switch wire {
        case .query, .restXML:
            // ELBv2/RDS: <ErrorResponse><Error><Code>; EC2: <Response><Errors><Error><Code>; S3: <Error><Code>.
            if let root = try? XMLNode.parse(response.body),
               let error = root.name == "Error" ? root : root["Error"] ?? root.path("Errors", "Error") {
                return (error.string("Code") ?? "HTTP\(response.status)", error.string("Message") ?? "",
                        root.string("RequestId") ?? root.string("RequestID") ?? headerID)
            }
        case .json:
            if let document = try? JSONValue.decode(response.body), case .object(let fields) = document {
                let type = fields["__type"]?.string ?? response.header("x-amzn-ErrorType") ?? "HTTP\(response.status)"
                // "com.amazonaws.ecs#ClusterNotFoundException" → "ClusterNotFoundException"; also drop ":<url>" suffixes.
                let code = String(type.split(separator: "#").last ?? Substring(type)).split(separator: ":").first.map(String.init) ?? type
                let message = fields["message"]?.string ?? fields["Message"]?.string ?? ""
                return (code, message, headerID)
            }
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
        return ("HTTP\(response.status)", text, headerID)
    }
}

import CutoverAWS
import CutoverHTTP
import CutoverSigV4
import CutoverTesting
import Foundation
import Synchronization
import Testing

/// moto does not check signatures, so the S3 requests are checked against botocore's `S3SigV4Auth`
/// (what the AWS CLI signs S3 with), as Tests/Support/sigv4 checks the signer for the other services:
/// a conditional PUT of a key that needs encoding, virtual-hosted and path-style.
@Suite struct S3SigningOracleTests {
    /// Answers every request with an ETag and keeps it.
    final class Recorder: HTTPTransport {
        let requests = Mutex<[HTTPRequest]>([])
        func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
            requests.withLock { $0.append(request) }
            return HTTPResponse(status: 200, headers: [("ETag", "\"9b2cf535f27731c974343645a3985328\"")])
        }
    }

    @Test(arguments: [nil, "http://127.0.0.1:4566"])
    func conditionalPutMatchesBotocore(endpoint: String?) async throws {
        let recorder = Recorder()
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: "IQoJb3JpZ2luX2VjEXAMPLETOKEN==")
        let client = AWSClient(transport: recorder, credentials: StaticCredentialProvider(credentials), region: "eu-west-1",
                               endpoint: endpoint.map { URL(string: $0)! }, now: { date })
        let body = Data(#"{"holder":"cutover promote"}"#.utf8)
        _ = try await S3Client(client: client).putObject(bucket: "cutover-state", key: "team/spectate/r 1+é%.json", data: body, ifNoneMatch: true)
        let request = try #require(recorder.requests.withLock { $0.first })
        let expectedURL = endpoint.map { "\($0)/cutover-state/team/spectate/r%201%2B%C3%A9%25.json" }
            ?? "https://cutover-state.s3.eu-west-1.amazonaws.com/team/spectate/r%201%2B%C3%A9%25.json"
        #expect(request.url.absoluteString == expectedURL)
        #expect(request.method == "PUT")
        #expect(header(request, "If-None-Match") == "*")

        let signing: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]
        let unsigned = request.headers.filter { !signing.contains($0.0.lowercased()) }
        let oracle = try Self.botocore(method: request.method, url: request.url.absoluteString, headers: unsigned, body: body,
                                       date: Int(date.timeIntervalSince1970), credentials: credentials, region: "eu-west-1")
        #expect(header(request, "Authorization") == oracle["Authorization"])
        #expect(header(request, "X-Amz-Content-SHA256") == oracle["X-Amz-Content-SHA256"])
        #expect(header(request, "X-Amz-Date") == oracle["X-Amz-Date"])
        #expect(header(request, "X-Amz-Security-Token") == credentials.sessionToken)
    }

    func header(_ request: HTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Signs the same request with botocore's S3SigV4Auth and returns the headers it set.
    static func botocore(method: String, url: String, headers: [(String, String)], body: Data, date: Int,
                         credentials: AWSCredentials, region: String) throws -> [String: String] {
        let input: [String: Any] = [
            "method": method, "url": url, "headers": headers.map { [$0.0, $0.1] }, "body": body.base64EncodedString(), "date": date,
            "key": credentials.accessKeyID, "secret": credentials.secretAccessKey, "token": credentials.sessionToken ?? "", "region": region,
        ]
        let script = """
            import base64, datetime, json, sys
            from unittest import mock
            import botocore.auth
            from botocore.auth import S3SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            case = json.load(sys.stdin)
            request = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body"]))
            for name, value in case["headers"]:
                request.headers[name] = value
            auth = S3SigV4Auth(Credentials(case["key"], case["secret"], case["token"] or None), "s3", case["region"])
            fixed = datetime.datetime.fromtimestamp(case["date"], datetime.timezone.utc).replace(tzinfo=None)
            with mock.patch.object(botocore.auth, "get_current_datetime", return_value=fixed):
                auth.add_auth(request)
            print(json.dumps({name: request.headers[name] for name in
                              ["Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"]}))
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let result = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3", ["-c", script], stdin: json)
        guard result.status == 0, let headers = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String] else {
            throw OracleFailure(description: "botocore failed: \(result.stderr)")
        }
        return headers
    }

    struct OracleFailure: Error, CustomStringConvertible {
        var description: String
    }
}

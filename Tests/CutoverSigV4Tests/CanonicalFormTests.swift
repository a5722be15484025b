import CutoverSigV4
import Foundation
import Testing

/// Behaviour the botocore oracle does not exercise: inputs botocore itself never produces,
/// where the AWS docs decide, and the parts of the request derived rather than given.
@Suite struct CanonicalFormTests {
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "eu-west-1", service: "ec2")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // Sunday 2015-08-30 12:36:00 UTC

    static func lines(_ url: String, headers: [(String, String)] = [], date: Date = date) -> [Substring] {
        signer.sign(method: "get", url: URL(string: url)!, headers: headers, body: Data(), date: date)
            .canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// botocore sorts the query as sent; AWS requires names and values encoded with only the
    /// unreserved set kept, uppercase hex. They agree on every query an SDK sends; for raw
    /// reserved characters or odd escapes the docs win.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-canonical-request
    @Test func queryIsEncodedAsTheDocsSayWhenTheUrlIsNot() {
        let query = Self.lines("https://ec2.amazonaws.com/?b=a/b&a=%7e&c=%c3%a9&d=a+b&e=x:y@z")[2]
        #expect(query == "a=~&b=a%2Fb&c=%C3%A9&d=a%2Bb&e=x%3Ay%40z")
    }

    @Test func querySortsByKeyThenValueAndKeepsRepeats() {
        #expect(Self.lines("https://h/?b=2&a-b=1&a=2&a=1&a&flag")[2] == "a=&a=1&a=2&a-b=1&b=2&flag=")
        #expect(Self.lines("https://h/?")[2] == "")
    }

    @Test func methodIsUppercasedAndEmptyPathIsSlash() {
        let lines = Self.lines("https://ec2.amazonaws.com")
        #expect(lines[0] == "GET")
        #expect(lines[1] == "/")
    }

    /// The canonical URI covers the wire path once more encoded, with dot and empty
    /// segments removed, as botocore sends for every service but S3.
    @Test func pathIsNormalizedThenEncodedAgain() {
        #expect(Self.lines("https://h/a/./b/../c//d%20e/%E6%97%A5/")[1] == "/a/c/d%2520e/%25E6%2597%25A5/")
        #expect(Self.lines("https://h/../..")[1] == "/")
        #expect(Self.lines("https://h/a+b/x=y/~u")[1] == "/a%2Bb/x%3Dy/~u")
    }

    @Test(arguments: [
        ("https://Example.COM/", "example.com"),
        ("https://example.com:443/", "example.com"),
        ("http://example.com:80/", "example.com"),
        ("http://example.com:443/", "example.com:443"),
        ("https://user:pass@example.com:8443/", "example.com:8443"),
        ("http://[::1]:9000/", "[::1]:9000"),
        ("http://localhost:4566", "localhost:4566"),
    ])
    func hostIsDerivedFromTheUrlWhenAbsent(url: String, host: String) {
        #expect(Self.lines(url).contains("host:\(host)"))
    }

    @Test func explicitHostIsSignedAsGiven() {
        #expect(Self.lines("https://a.example/", headers: [("HOST", "  B.example  ")]).contains("host:B.example"))
    }

    @Test func timestampsAcrossCalendarEdges() {
        let signer = Self.signer
        func amzDate(_ seconds: TimeInterval) -> String? {
            signer.signingHeaders(method: "GET", url: URL(string: "https://h/")!, headers: [], body: Data(),
                                  date: Date(timeIntervalSince1970: seconds)).first { $0.0 == "X-Amz-Date" }?.1
        }
        #expect(amzDate(1_709_251_199) == "20240229T235959Z")
        #expect(amzDate(1_709_251_200.999) == "20240301T000000Z")  // fractions dropped, not rounded
        #expect(amzDate(951_782_400) == "20000229T000000Z")
        #expect(amzDate(-1) == "19691231T235959Z")
        #expect(amzDate(4_102_444_800) == "21000101T000000Z")
        #expect(signer.credentialScope(date: Date(timeIntervalSince1970: 1_709_251_199)) == "20240229/eu-west-1/ec2/aws4_request")
    }

    /// botocore signs a rewritten Date header instead of adding X-Amz-Date when a request
    /// already has one, in email.utils.formatdate's form.
    @Test func aDateHeaderIsReplacedRatherThanAddingXAmzDate() {
        let headers = Self.signer.signingHeaders(
            method: "GET", url: URL(string: "https://h/")!, headers: [("date", "yesterday"), ("X-Amz-Date", "stale")],
            body: Data(), date: Self.date)
        #expect(headers.map(\.0) == ["Authorization", "Date"])
        #expect(headers[1].1 == "Sun, 30 Aug 2015 12:36:00 -0000")
        #expect(headers[0].1.contains("SignedHeaders=date;host,"))
    }

    @Test func contentSHA256IsAddedAndSignedOnRequest() {
        let body = Data("Action=DescribeInstances".utf8)
        let signed = Self.signer.sign(method: "POST", url: URL(string: "https://h/")!, headers: [], body: body,
                                      date: Self.date, includeContentSHA256: true)
        let hash = "d2c784fddd5cb885f870e1ea4d0e9cf479296ad64ca693b8e26d872b0cfa3689"  // sha256sum of the body
        #expect(signed.headers.first { $0.0 == "X-Amz-Content-SHA256" }?.1 == hash)
        #expect(signed.canonicalRequest.hasSuffix("\n" + hash))
        #expect(signed.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
    }

    @Test func percentEncodingKeepsOnlyUnreserved() {
        #expect(AWSPercentEncoding.encode("AZaz09-_.~ /+=&é日") == "AZaz09-_.~%20%2F%2B%3D%26%C3%A9%E6%97%A5")
    }
}

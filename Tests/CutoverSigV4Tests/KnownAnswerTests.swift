import Crypto
import CutoverSigV4
import Foundation
import Testing

/// Published AWS examples, independent of botocore: the IAM ListUsers walk-through from the
/// SigV4 docs (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
/// formerly the General Reference's "Signature Version 4 signing process" example) and
/// cases of AWS's aws-sig-v4-test-suite, which both use these example credentials.
@Suite struct KnownAnswerTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 20150830T123600Z
    static let date = Date(timeIntervalSince1970: 1_440_938_160)

    @Test func iamListUsersExampleFromTheDocs() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "iam")
        let signed = signer.sign(
            method: "GET", url: URL(string: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")!,
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "iam.amazonaws.com")],
            body: Data(), date: Self.date)
        #expect(signed.canonicalRequest == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/iam/aws4_request
            f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
            """)
        let key = signer.signingKey(date: Self.date).withUnsafeBytes { Array($0) }
        #expect(key.map { String(format: "%02x", $0) }.joined() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        #expect(signed.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        #expect(signed.headers.map(\.0) == ["Authorization", "X-Amz-Date"])
        #expect(signed.headers.last?.1 == "20150830T123600Z")
    }

    /// (test-suite name, method, url, extra headers, body, expected signature); region
    /// us-east-1, service "service", Host example.amazonaws.com.
    static let suite: [(String, String, String, [(String, String)], String, String)] = [
        ("get-vanilla", "GET", "https://example.amazonaws.com/", [], "",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", [], "",
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("post-x-www-form-urlencoded", "POST", "https://example.amazonaws.com/",
         [("Content-Type", "application/x-www-form-urlencoded")], "Param1=value1",
         "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        ("get-header-value-trim", "GET", "https://example.amazonaws.com/",
         [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")], "",
         "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ]

    @Test(arguments: 0..<suite.count)
    func awsSigV4TestSuite(index: Int) {
        let (name, method, url, headers, body, expected) = Self.suite[index]
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        let signed = signer.sign(
            method: method, url: URL(string: url)!, headers: [("Host", "example.amazonaws.com")] + headers,
            body: Data(body.utf8), date: Self.date)
        #expect(signed.signature == expected, "\(name)")
    }

    /// The steps compose: the public step functions give what `sign` gives.
    @Test func publicStepsComposeToTheSameSignature() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        let url = URL(string: "https://example.amazonaws.com/")!
        let canonical = signer.canonicalRequest(
            method: "GET", url: url, headers: [("X-Amz-Date", "20150830T123600Z")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let toSign = signer.stringToSign(canonicalRequest: canonical, date: Self.date)
        let signature = SigV4Signer.signature(stringToSign: toSign, signingKey: signer.signingKey(date: Self.date))
        #expect(signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(signer.credentialScope(date: Self.date) == "20150830/us-east-1/service/aws4_request")
    }
}

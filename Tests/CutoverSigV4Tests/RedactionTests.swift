import CutoverSigV4
import Foundation
import Testing

/// Logs must never contain a secret key or session token, however a value gets printed.
@Suite struct RedactionTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "FwoGZXIvYXdzEBYaDSECRETTOKEN"
    static let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: token)

    static func renderings(_ value: some Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped]
    }

    @Test func credentialsNeverPrintSecrets() {
        for text in Self.renderings(Self.credentials) {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(text)")
            #expect(text.contains("<redacted>"))
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE") && text.contains("EMPLE".suffix(4)), "\(text)")
        }
    }

    @Test func aSignerNeverPrintsSecrets() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "ecs")
        for text in Self.renderings(signer) {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(text)")
        }
    }

    @Test func aSignatureNeverPrintsTheToken() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "ecs")
        let signed = signer.sign(method: "POST", url: URL(string: "https://ecs.us-east-1.amazonaws.com/")!,
                                 headers: [], body: Data("{}".utf8), date: Date(timeIntervalSince1970: 0))
        #expect(signed.canonicalRequest.contains(Self.token))  // it is signed...
        #expect(signed.headers.contains { $0 == ("X-Amz-Security-Token", Self.token) })  // ...and sent
        for text in Self.renderings(signed) {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(text)")
        }
    }
}

import CutoverSigV4
import Foundation
import Testing

/// The release tool signs hundreds of requests a second while polling deployments; this keeps
/// an accidental slow path (DateFormatter, Foundation percent-encoding) from creeping in. The
/// bound is loose on purpose: debug build, two shared cores.
@Suite struct ThroughputTests {
    @Test func signsThousandsOfRequestsPerSecondInDebug() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token"),
            region: "us-east-1", service: "ecs")
        let url = URL(string: "https://ecs.us-east-1.amazonaws.com/?Action=DescribeServices&Version=2014-11-13&services.member.1=web")!
        let headers = [("Content-Type", "application/x-amz-json-1.1"),
                       ("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices")]
        let body = Data(#"{"cluster":"prod","services":["web","worker"]}"#.utf8)
        let count = 2000
        let clock = ContinuousClock()
        var last = ""
        let elapsed = clock.measure {
            for index in 0..<count {
                last = signer.signingHeaders(method: "POST", url: url, headers: headers, body: body,
                                             date: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)))[0].1
            }
        }
        #expect(last.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ecs/aws4_request"))
        print("SigV4: \(count) signatures in \(elapsed)")
        #expect(elapsed < .seconds(4), "\(count) signatures took \(elapsed)")
    }
}

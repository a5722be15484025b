import CutoverSigV4
import Foundation

/// Where an S3 object lives on the wire.
///
/// With an endpoint override (moto, MinIO, a VPC endpoint) requests are path-style,
/// `<endpoint>/<bucket>/<key>`, because such endpoints have no per-bucket DNS names. Otherwise they are
/// virtual-hosted, `https://<bucket>.s3.<region>.amazonaws.com/<key>`, as AWS prefers, except for bucket
/// names with dots: those do not match the `*.s3` TLS certificate, so they go path-style to the regional
/// endpoint (what botocore does too).
struct S3Addressing: Sendable {
    var region: String
    var endpointOverride: URL?

    /// The URL of `key` in `bucket` (the bucket itself when `key` is empty), with `query` pairs
    /// encoded as SigV4 wants them.
    func url(bucket: String, key: String = "", query: [(String, String)] = []) -> URL {
        var text: String
        let encodedKey = Self.encode(key: key)
        if let endpointOverride {
            var base = endpointOverride.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            text = "\(base)/\(bucket)" + (key.isEmpty ? "" : "/\(encodedKey)")
        } else {
            let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            text = bucket.contains(".")
                ? "https://s3.\(region).\(suffix)/\(bucket)" + (key.isEmpty ? "" : "/\(encodedKey)")
                : "https://\(bucket).s3.\(region).\(suffix)/\(encodedKey)"
        }
        if !query.isEmpty {
            text += "?" + query.map { "\(AWSPercentEncoding.encode($0.0))=\(AWSPercentEncoding.encode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)!
    }

    /// S3's key encoding: every byte outside the unreserved set percent-encoded, `/` kept, so the key's
    /// "folders" stay readable and the canonical URI is the wire path as is.
    static func encode(key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { AWSPercentEncoding.encode(String($0)) }.joined(separator: "/")
    }
}

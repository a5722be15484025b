import CutoverSigV4
import Foundation

extension SigV4Signer {
    /// Signs an S3 request: the payload hash goes in `X-Amz-Content-SHA256` (S3 requires it), and the
    /// canonical URI is the path exactly as sent, encoded once and not normalised.
    ///
    /// Every other service wants the path normalised and encoded twice, which is what the shared signer
    /// does; S3 is the documented exception (botocore's `S3SigV4Auth._normalize_url_path` returns the path
    /// as it is). So this signs with the shared signer and swaps the one line S3 reads differently, then
    /// recomputes the signature from it with the signer's public steps. The result is checked against
    /// botocore's `S3SigV4Auth` in CutoverStateTests.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
    func s3SigningHeaders(method: String, url: URL, headers: [(String, String)], body: Data, date: Date) -> [(String, String)] {
        let shared = sign(method: method, url: url, headers: headers, body: body, date: date, includeContentSHA256: true)
        var lines = shared.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[1] = Self.s3CanonicalURI(url)
        let canonical = lines.joined(separator: "\n")
        let signature = Self.signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), signingKey: signingKey(date: date))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(credentialScope(date: date)), "
            + "SignedHeaders=\(shared.signedHeaders), Signature=\(signature)"
        return shared.headers.map { $0.0 == "Authorization" ? ("Authorization", authorization) : $0 }
    }

    /// The wire path of `url` as S3 signs it: verbatim (S3Addressing encodes keys once), `/` when empty.
    static func s3CanonicalURI(_ url: URL) -> String {
        var text = Substring(url.absoluteString)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        guard let start = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }), text[start] == "/" else { return "/" }
        let path = text[start...]
        return String(path[..<(path.firstIndex { $0 == "?" || $0 == "#" } ?? path.endIndex)])
    }
}

import Crypto
import Foundation

/// Signs requests with AWS Signature Version 4 in the `Authorization` header, matching
/// botocore's `SigV4Auth` (what the AWS CLI sends), which its tests prove case by case.
///
/// Overview: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
/// Every step is public so a failing request can be debugged against AWS's error message,
/// which quotes the canonical request and string to sign it expected.
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Returns the headers to ADD to the request: Authorization, X-Amz-Date,
    /// X-Amz-Content-Sha256 (only if `includeContentSHA256`), X-Amz-Security-Token (when a
    /// session token is set).
    ///
    /// `headers` are the request's headers as sent; Host may be left out, and is then derived
    /// from `url` as an HTTP client sends it (lowercase, with a non-default port). Each
    /// returned header replaces the request's headers of that name. The request's own
    /// `Authorization` and `X-Amz-Date` are never signed and must not be sent. If the request
    /// carries a `Date` header, botocore signs a rewritten `Date` instead of adding
    /// `X-Amz-Date`, and so does this: the `Date` returned must replace the request's.
    public func signingHeaders(
        method: String, url: URL, headers: [(String, String)], body: Data, date: Date,
        includeContentSHA256: Bool = false
    ) -> [(String, String)] {
        sign(method: method, url: url, headers: headers, body: body, date: date,
             includeContentSHA256: includeContentSHA256).headers
    }

    /// Signs a request and returns every intermediate result, for logging and tests.
    public func sign(
        method: String, url: URL, headers: [(String, String)], body: Data, date: Date,
        includeContentSHA256: Bool = false
    ) -> SigV4Signature {
        let timestamp = SigV4Timestamp(date)
        let token = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        let hasDate = headers.contains { $0.0.lowercased() == "date" }
        let bodyHash = Self.hex(SHA256.hash(data: body))

        var added: [(String, String)] = [hasDate ? ("Date", timestamp.rfc2822) : ("X-Amz-Date", timestamp.amzDate)]
        if let token { added.append(("X-Amz-Security-Token", token)) }
        if includeContentSHA256 { added.append(("X-Amz-Content-SHA256", bodyHash)) }

        // What botocore's _modify_request_before_signing removes before it adds its own.
        var replaced: Set<String> = ["authorization", "x-amz-date", "date"]
        if token != nil { replaced.insert("x-amz-security-token") }
        if includeContentSHA256 { replaced.insert("x-amz-content-sha256") }
        let signedRequestHeaders = headers.filter { !replaced.contains($0.0.lowercased()) } + added

        // A caller-set X-Amz-Content-SHA256 (e.g. UNSIGNED-PAYLOAD) is the payload hash, verbatim.
        let payloadHash = signedRequestHeaders.first { $0.0.lowercased() == "x-amz-content-sha256" }?.1 ?? bodyHash
        let (canonical, signedHeaders) = canonicalRequestAndSignedHeaders(
            method: method, url: url, headers: signedRequestHeaders, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: canonical, date: date)
        let signature = Self.signature(stringToSign: toSign, signingKey: signingKey(date: date))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(credentialScope(date: date)), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(
            canonicalRequest: canonical, stringToSign: toSign, signedHeaders: signedHeaders,
            signature: signature, authorization: authorization,
            headers: [("Authorization", authorization)] + added)
    }

    /// Step 1, the canonical request, from the headers exactly as they will be signed
    /// (including X-Amz-Date and any token); Host is derived from `url` if absent.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-canonical-request
    public func canonicalRequest(method: String, url: URL, headers: [(String, String)], payloadHash: String) -> String {
        canonicalRequestAndSignedHeaders(method: method, url: url, headers: headers, payloadHash: payloadHash).canonical
    }

    func canonicalRequestAndSignedHeaders(
        method: String, url: URL, headers: [(String, String)], payloadHash: String
    ) -> (canonical: String, signedHeaders: String) {
        let wire = WireURL(url)
        let (canonicalHeaders, signedHeaders) = SigV4Canonical.headers(headers, hostHeader: wire.hostHeader)
        var out = method.uppercased()
        out += "\n"
        out += String(decoding: SigV4Canonical.uri(path: wire.path), as: UTF8.self)
        out += "\n"
        out += String(decoding: SigV4Canonical.query(wire.query), as: UTF8.self)
        out += "\n"
        out += canonicalHeaders
        out += "\n"
        out += signedHeaders
        out += "\n"
        out += payloadHash
        return (out, signedHeaders)
    }

    /// `date/region/service/aws4_request`.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-string-to-sign
    public func credentialScope(date: Date) -> String {
        "\(SigV4Timestamp(date).dateStamp)/\(region)/\(service)/aws4_request"
    }

    /// Step 2, the string to sign: algorithm, X-Amz-Date, credential scope, and the hex
    /// SHA-256 of the canonical request.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-string-to-sign
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        "AWS4-HMAC-SHA256\n\(SigV4Timestamp(date).amzDate)\n\(credentialScope(date: date))\n"
            + Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
    }

    /// Step 3, the signing key: HMAC-SHA256 chained over date, region, service and
    /// `aws4_request`, starting from `"AWS4" + secret`. It only changes daily, but costs four
    /// HMACs (about a microsecond), so it is not cached.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#derive-signing-key
    public func signingKey(date: Date) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [SigV4Timestamp(date).dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// Step 4, the signature: hex HMAC-SHA256 of the string to sign under the signing key.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#calculate-signature
    public static func signature(stringToSign: String, signingKey: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
    }

    /// Lowercase hex, as every SigV4 hash and signature is written.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Everything one signing computed. The signature is only valid for this request, but
/// `headers` and the canonical request carry the session token, so `description` and the
/// mirror redact it: logs must never hold a credential.
public struct SigV4Signature: Sendable {
    public var canonicalRequest: String
    public var stringToSign: String
    /// `host;x-amz-date;...`, as in the Authorization header.
    public var signedHeaders: String
    /// Lowercase hex.
    public var signature: String
    /// The Authorization header value.
    public var authorization: String
    /// The headers to add (`Authorization` first), as `SigV4Signer.signingHeaders` returns them.
    public var headers: [(String, String)]
}

extension SigV4Signature: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `headers` with the X-Amz-Security-Token value replaced, safe to log.
    var redactedHeaders: [String] {
        headers.map { $0.0.lowercased() == "x-amz-security-token" ? "\($0.0): <redacted>" : "\($0.0): \($0.1)" }
    }

    /// The canonical request with the x-amz-security-token line's value replaced.
    var redactedCanonicalRequest: String {
        canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("x-amz-security-token:") ? "x-amz-security-token:<redacted>" : String($0) }
            .joined(separator: "\n")
    }

    public var description: String {
        "SigV4Signature(canonicalRequest: \(String(reflecting: redactedCanonicalRequest)), stringToSign: "
            + "\(String(reflecting: stringToSign)), headers: \(redactedHeaders))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "canonicalRequest": redactedCanonicalRequest, "stringToSign": stringToSign,
            "signedHeaders": signedHeaders, "signature": signature, "headers": redactedHeaders,
        ], displayStyle: .struct)
    }
}

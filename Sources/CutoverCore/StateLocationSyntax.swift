/// The one syntax of a state location (`state:` in the config, `CUTOVER_STATE` in the environment):
/// `s3://BUCKET[/PREFIX]`, or a directory path. It lives in CutoverCore so that config validation and
/// CutoverState's `StateLocation` apply the same rule; CutoverState adds the I/O.
///
/// Bucket names follow S3's rules for general purpose buckets
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), so a typo fails here
/// with a reason instead of in S3 with `InvalidBucketName`. Prefix segments use the config's safe set,
/// because the prefix is echoed into pipelines and messages.
public enum StateLocationSyntax {
    public enum Parsed: Sendable, Equatable {
        /// A path as written (relative paths are the caller's to resolve).
        case directory(String)
        /// `prefix` has no leading or trailing `/`; empty for the bucket's root.
        case s3(bucket: String, prefix: String)
    }

    /// What a valid location looks like, for hints.
    public static let expectation = "s3://BUCKET or s3://BUCKET/PREFIX (a bucket name of 3 to 63 lowercase letters, digits, '.' and '-'; "
        + "prefix segments of letters, digits, '.', '_' and '-'), or a directory path (e.g. s3://spectate-release-state/cutover)"

    /// Parses `text`, or returns why it is not a state location.
    public static func parse(_ text: String) -> Result<Parsed, Problem> {
        if text.isEmpty { return .failure(Problem("is empty")) }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return .failure(Problem("contains a control character"))
        }
        guard text.hasPrefix("s3://") else {
            if let scheme = text.range(of: "://") {
                return .failure(Problem("uses the scheme \(text[..<scheme.lowerBound])://; only s3:// and directory paths are supported"))
            }
            return .success(.directory(text))
        }
        var rest = Substring(text.dropFirst("s3://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let slash = rest.firstIndex(of: "/")
        let bucket = String(rest[..<(slash ?? rest.endIndex)])
        let prefix = slash.map { String(rest[rest.index(after: $0)...]) } ?? ""
        if bucket.isEmpty { return .failure(Problem("names no bucket")) }
        if let problem = bucketProblem(bucket) { return .failure(Problem("has the bucket name \(quoted(bucket)), which \(problem)")) }
        if let problem = prefixProblem(prefix) { return .failure(Problem("has the prefix \(quoted(prefix)), which \(problem)")) }
        return .success(.s3(bucket: bucket, prefix: prefix))
    }

    /// Why `bucket` is not a valid S3 bucket name, or nil.
    static func bucketProblem(_ bucket: String) -> String? {
        let count = bucket.unicodeScalars.count
        if count < 3 || count > 63 { return "is \(count) characters long (S3 allows 3 to 63)" }
        if let bad = bucket.unicodeScalars.first(where: { !(ValueKind.isLower($0) || ValueKind.isDigit($0) || $0 == "." || $0 == "-") }) {
            return "contains \(ValueKind.show(bad))"
        }
        let first = bucket.unicodeScalars.first!, last = bucket.unicodeScalars.last!
        guard ValueKind.isLower(first) || ValueKind.isDigit(first), ValueKind.isLower(last) || ValueKind.isDigit(last) else {
            return "must start and end with a lowercase letter or digit"
        }
        if bucket.contains("..") { return "has two adjacent periods" }
        let parts = bucket.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(ValueKind.isDigit) }) {
            return "is formatted as an IP address"
        }
        for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] where bucket.hasPrefix(reserved) { return "starts with the reserved \(reserved)" }
        for reserved in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where bucket.hasSuffix(reserved) {
            return "ends with the reserved \(reserved)"
        }
        return nil
    }

    /// Why `prefix` is not a safe key prefix, or nil. Empty is fine (the bucket's root).
    static func prefixProblem(_ prefix: String) -> String? {
        if prefix.isEmpty { return nil }
        if prefix.utf8.count > 512 { return "is \(prefix.utf8.count) bytes long" }
        for segment in prefix.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "has an empty segment (a doubled '/')" }
            if segment == "." || segment == ".." { return "uses '\(segment)' as a segment" }
            if let bad = segment.unicodeScalars.first(where: { !(ValueKind.isAlnum($0) || $0 == "." || $0 == "_" || $0 == "-") }) {
                return "contains \(ValueKind.show(bad))"
            }
        }
        return nil
    }

    /// Why a location is not a valid state location, in words that follow the value.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        init(_ message: String) { self.message = message }
        public var description: String { message }
    }
}

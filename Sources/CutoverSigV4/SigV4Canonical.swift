/// The canonical-request pieces, each a pure function of the wire request, matching
/// botocore's `SigV4Auth` byte for byte.
/// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
enum SigV4Canonical {
    /// Headers botocore never signs (`SIGNED_HEADERS_BLACKLIST` in botocore/auth.py): hop-by-hop
    /// headers and ones proxies or the HTTP client may rewrite after signing.
    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// CanonicalURI: dot segments and empty segments removed (botocore's `remove_dot_segments`:
    /// AWS services want `//` collapsed too), then every byte but unreserved and `/` encoded.
    /// A `%` already in the wire path becomes `%25`: that is the documented "encode twice"
    /// for every service but S3, since the wire path is already encoded once.
    static func uri(path: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "/")]
        guard !path.isEmpty else { return out }
        out.reserveCapacity(path.count + 16)
        var segments: [ArraySlice<UInt8>] = []
        for segment in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual(".".utf8) { continue }
            if segment.elementsEqual("..".utf8) {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        // botocore keeps a leading "/" only if the path had one; a wire path always does.
        if path.first != UInt8(ascii: "/") { out.removeAll() }
        for (offset, segment) in segments.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: "/")) }
            AWSPercentEncoding.append(segment, keeping: nil, to: &out)
        }
        if path.last == UInt8(ascii: "/"), !segments.isEmpty { out.append(UInt8(ascii: "/")) }
        return out
    }

    /// CanonicalQueryString: pairs split on `&` and at the first `=` (a key without `=` gets an
    /// empty value), each side canonically encoded, sorted by (key, value), repeats kept.
    static func query(_ query: ArraySlice<UInt8>?) -> [UInt8] {
        guard let query, !query.isEmpty else { return [] }
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            var key: [UInt8] = [], value: [UInt8] = []
            AWSPercentEncoding.appendCanonicalQueryComponent(pair[..<equals], to: &key)
            if equals < pair.endIndex {
                AWSPercentEncoding.appendCanonicalQueryComponent(pair[(equals + 1)...], to: &value)
            }
            pairs.append((key, value))
        }
        pairs.sort { lhs, rhs in
            lhs.key == rhs.key ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.key.lexicographicallyPrecedes(rhs.key)
        }
        var out: [UInt8] = []
        out.reserveCapacity(query.count + 8)
        for (offset, pair) in pairs.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.key)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
        return out
    }

    /// CanonicalHeaders and SignedHeaders: names lowercased and sorted, unsigned ones left out,
    /// values trimmed and whitespace runs collapsed, repeated names joined by `,` in order.
    /// `Host` is derived from the URL when the request has none, as botocore does.
    static func headers(_ headers: [(String, String)], hostHeader: String) -> (canonical: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if unsignedHeaders.contains(lower) { continue }
            values[lower, default: []].append(trimAll(value))
        }
        if values["host"] == nil { values["host"] = [hostHeader] }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var canonical = ""
        for name in names {
            canonical += name
            canonical += ":"
            canonical += values[name]!.joined(separator: ",")
            canonical += "\n"
        }
        return (canonical, names.joined(separator: ";"))
    }

    /// The spec's Trimall, as botocore does it (`' '.join(value.split())`): Python's `split()`
    /// breaks on any Unicode whitespace, plus the ASCII separators 0x1C-0x1F.
    static func trimAll(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }
}

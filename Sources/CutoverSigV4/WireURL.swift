import Foundation

/// The parts of a URL that signing reads, sliced from `absoluteString` exactly as they go on
/// the wire (still percent-encoded), the way botocore reads them with `urlsplit`.
///
/// Foundation's accessors are avoided on purpose: `path`/`query` decode, and their
/// `percentEncoded:` variants differ between platforms and versions; the wire text is what
/// the signature must cover.
struct WireURL: Sendable {
    /// Lowercased, e.g. `https`.
    var scheme: String
    /// The host as botocore derives the `Host` header when a request has none: lowercase,
    /// IPv6 in brackets, userinfo dropped, the port kept unless it is the scheme's default.
    var hostHeader: String
    /// Raw path bytes, possibly empty.
    var path: ArraySlice<UInt8>
    /// Raw query bytes after `?`, or nil when there is no `?`.
    var query: ArraySlice<UInt8>?

    init(_ url: URL) {
        let bytes = Array(url.absoluteString.utf8)
        var index = 0
        var scheme = ""
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
           !bytes[..<colon].contains(where: { [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains($0) }) {
            scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
            index = colon + 1
        }
        var authority: ArraySlice<UInt8> = []
        if bytes[index...].starts(with: "//".utf8) {
            let start = index + 2
            let end = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? bytes.endIndex
            authority = bytes[start..<end]
            index = end
        }
        let fragment = bytes[index...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        let questionMark = bytes[index..<fragment].firstIndex(of: UInt8(ascii: "?"))
        self.scheme = scheme
        path = bytes[index..<(questionMark ?? fragment)]
        query = questionMark.map { bytes[($0 + 1)..<fragment] }
        hostHeader = Self.hostHeader(authority: authority, scheme: scheme)
    }

    /// botocore's `_host_from_url`.
    private static func hostHeader(authority: ArraySlice<UInt8>, scheme: String) -> String {
        var hostInfo = authority
        if let at = hostInfo.lastIndex(of: UInt8(ascii: "@")) { hostInfo = hostInfo[(at + 1)...] }
        var host: ArraySlice<UInt8>
        var port: ArraySlice<UInt8> = []
        if hostInfo.first == UInt8(ascii: "["), let close = hostInfo.firstIndex(of: UInt8(ascii: "]")) {
            host = hostInfo[...close]
            let rest = hostInfo[(close + 1)...]
            if rest.first == UInt8(ascii: ":") { port = rest.dropFirst() }
        } else if let colon = hostInfo.firstIndex(of: UInt8(ascii: ":")) {
            host = hostInfo[..<colon]
            port = hostInfo[(colon + 1)...]
        } else {
            host = hostInfo
        }
        let name = String(decoding: host, as: UTF8.self).lowercased()
        guard let number = Int(String(decoding: port, as: UTF8.self)) else { return name }
        let defaultPort = ["http": 80, "https": 443][scheme]
        return number == defaultPort ? name : "\(name):\(number)"
    }
}

/// Percent-encoding over UTF-8 bytes, as SigV4 specifies it: everything but the RFC 3986
/// unreserved set (`A-Z a-z 0-9 - _ . ~`) becomes `%XY` with uppercase hex.
///
/// Hand-rolled rather than `addingPercentEncoding`, which has no exact "unreserved only"
/// character set and is slow on the signing hot path.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (URI-encode rules).
public enum AWSPercentEncoding {
    /// Encodes `string` for use as a SigV4 query parameter name or value, or in a
    /// form-encoded (query protocol) body. Build query strings with this so that what is
    /// sent and what is signed agree: `+`, `/`, `:` etc. left raw are ambiguous to servers.
    public static func encode(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        append(string.utf8, keeping: nil, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends `bytes` encoded; `keeping` is one extra byte left raw (`/` for paths).
    @inline(__always)
    static func append(_ bytes: some Sequence<UInt8>, keeping: UInt8?, to out: inout [UInt8]) {
        for byte in bytes {
            if isUnreserved(byte) || byte == keeping {
                out.append(byte)
            } else {
                appendEscape(byte, to: &out)
            }
        }
    }

    @inline(__always)
    static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "%"))
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0x0F)])
    }

    /// The value of an ASCII hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Re-encodes an already percent-encoded query component canonically: each valid `%XY`
    /// is decoded and re-encoded (so `%7e` becomes `~` and `%c3` becomes `%C3`), and every
    /// other byte outside the unreserved set is encoded (so a raw `/` or `+` becomes `%2F`,
    /// `%2B`). A component that was encoded the way AWS SDKs encode is left byte-for-byte
    /// unchanged, which is all botocore ever signs; the rest is what the AWS docs prescribe.
    static func appendCanonicalQueryComponent(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), bytes.endIndex - index >= 3,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                let decoded = high << 4 | low
                if isUnreserved(decoded) { out.append(decoded) } else { appendEscape(decoded, to: &out) }
                index += 3
            } else {
                if isUnreserved(byte) { out.append(byte) } else { appendEscape(byte, to: &out) }
                index += 1
            }
        }
    }
}

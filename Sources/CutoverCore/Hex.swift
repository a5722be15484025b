extension Sequence where Element == UInt8 {
    /// The bytes as lowercase hex (a SHA-256 digest, an HMAC): the one spelling every checksum and
    /// signature comparison uses. Built from a table, not `String(format:)`, which goes through
    /// Foundation's formatter for every byte.
    public var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The ordered key/value pairs of a Query-protocol request (`Names.member.1=...`), form-encoded.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(key: String, value: String)] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        self.pairs = pairs.map { (key: $0.0, value: $0.1) }
    }

    public mutating func add(_ key: String, _ value: String) {
        pairs.append((key: key, value: value))
    }

    /// `prefix.member.1`, `prefix.member.2`, ... — the Query protocol's list encoding (1-based). EC2
    /// writes its lists without the `member` step (`Filter.1.Value.1`): pass `item: nil`.
    public mutating func addList(_ prefix: String, _ values: [String], item: String? = "member") {
        for (offset, value) in values.enumerated() {
            add(item.map { "\(prefix).\($0).\(offset + 1)" } ?? "\(prefix).\(offset + 1)", value)
        }
    }

    public mutating func append(_ other: QueryParameters) {
        pairs.append(contentsOf: other.pairs)
    }

    /// The same pairs with `prefix.` put before every key.
    public func prefixed(_ prefix: String) -> QueryParameters {
        var result = QueryParameters()
        for pair in pairs { result.add("\(prefix).\(pair.key)", pair.value) }
        return result
    }

    /// `application/x-www-form-urlencoded`, every byte outside RFC 3986's unreserved set percent-encoded.
    public func encoded() -> String {
        var out: [UInt8] = []
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            Self.percentEncode(pair.key, into: &out)
            out.append(UInt8(ascii: "="))
            Self.percentEncode(pair.value, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.key == $1.key && $0.value == $1.value }
    }

    static func percentEncode(_ text: String, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
    }
}

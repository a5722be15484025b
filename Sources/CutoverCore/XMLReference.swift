/// XML's references in character data: the five predefined entities and numeric character references,
/// for the XML readers (AWS answers, Jenkins job configs).
public enum XMLReference {
    /// The UTF-8 of the reference `&name;` (given without `&` and `;`), or nil when it is neither a
    /// predefined entity nor a character reference to a character XML allows (`&#0;` is none).
    public static func utf8(_ name: some StringProtocol) -> [UInt8]? {
        switch name {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            let digits = name.hasPrefix("#x") ? name.dropFirst(2) : name.hasPrefix("#") ? name.dropFirst() : nil
            // UInt32's parser takes a sign; a reference has none.
            guard let digits, !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }),
                  let value = UInt32(digits, radix: name.hasPrefix("#x") ? 16 : 10), value != 0,
                  let scalar = Unicode.Scalar(value) else { return nil }
            return Array(String(Character(scalar)).utf8)
        }
    }
}

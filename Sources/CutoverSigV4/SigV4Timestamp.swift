import Foundation

/// The UTC renderings of a signing date that SigV4 needs, computed arithmetically
/// (days-to-civil) instead of through `DateFormatter`, which is slow, locale-sensitive and
/// not thread-safe to share. Sub-second parts are dropped, as botocore's strftime does.
/// Format: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (X-Amz-Date).
struct SigV4Timestamp: Sendable, Equatable {
    let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// 0 = Sunday.
    let weekday: Int

    init(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `yyyyMMdd`, the date of the credential scope.
    var dateStamp: String {
        var out: [UInt8] = []
        out.reserveCapacity(8)
        Self.append(year, width: 4, to: &out)
        Self.append(month, width: 2, to: &out)
        Self.append(day, width: 2, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `yyyyMMdd'T'HHmmss'Z'`, the X-Amz-Date value.
    var amzDate: String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        Self.append(year, width: 4, to: &out)
        Self.append(month, width: 2, to: &out)
        Self.append(day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        Self.append(hour, width: 2, to: &out)
        Self.append(minute, width: 2, to: &out)
        Self.append(second, width: 2, to: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 2822 with a `-0000` zone, exactly as Python's `email.utils.formatdate` writes
    /// it: botocore puts this in a request's `Date` header when the request has one.
    var rfc2822: String {
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out: [UInt8] = Array("\(weekdays[weekday]), ".utf8)
        Self.append(day, width: 2, to: &out)
        out.append(contentsOf: " \(months[month - 1]) ".utf8)
        Self.append(year, width: 4, to: &out)
        out.append(UInt8(ascii: " "))
        Self.append(hour, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(minute, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(second, width: 2, to: &out)
        out.append(contentsOf: " -0000".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// Zero-padded decimal; years outside 0...9999 are not meaningful to AWS and are clamped.
    private static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        var value = min(max(value, 0), width == 4 ? 9999 : 99)
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var index = width - 1
        while value > 0 && index >= 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
            index -= 1
        }
        out.append(contentsOf: digits)
    }
}

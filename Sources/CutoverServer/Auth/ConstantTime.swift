import Crypto
import Foundation

/// Secret comparisons whose duration does not depend on where the inputs differ, so a caller cannot
/// find a token or signature byte by byte by timing the answers.
enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Inputs of different lengths are hashed first, so only
    /// digests of equal length are compared and the length of the secret does not leak either.
    static func equal(_ a: some DataProtocol, _ b: some DataProtocol) -> Bool {
        let left = Array(SHA256.hash(data: Data(a)))
        let right = Array(SHA256.hash(data: Data(b)))
        return equalDigests(left, right)
    }

    /// Compares two byte arrays of equal length without an early exit.
    static func equalDigests(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

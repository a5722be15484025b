import Foundation

extension FileHandle {
    /// Reads to end of file, handing each line (without its newline) to `line` as it arrives, and a last
    /// unterminated line too. Blocks: call it on a thread of its own, never on the concurrency pool.
    public func forEachLine(_ line: (String) -> Void) {
        var buffer = Data()
        while true {
            let chunk = availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                line(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        if !buffer.isEmpty { line(String(decoding: buffer, as: UTF8.self)) }
    }
}

import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over one blocking socket, for the CLI's requests to a sidecar on `http://`: one request per
/// connection (`Connection: close`), the answer's body streamed as it arrives (chunked, sized, or up to
/// the close). The socket lives on a thread of its own, so a step's log that trickles in for minutes
/// blocks no task.
enum SocketHTTP {
    /// Seconds to wait for a connection.
    static let connectTimeout: Int64 = 10
    /// Seconds of silence that mean a dead connection: the daemon writes a heartbeat at least every 15 s.
    static let readTimeout: Int64 = 60

    /// No answer: the connection was refused, failed, timed out or dropped.
    struct Failure: Error, CustomStringConvertible {
        var refused = false
        var description: String
    }

    static func send(method: String, url: String, headers: [(String, String)], body: Data?) async throws -> StreamedAnswer {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty else {
            throw Failure(description: "\(url) is not an http:// URL")
        }
        let port = components.port ?? 80
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(components.port.map { "\(host):\($0)" } ?? host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body?.count ?? 0)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + (body.map(Array.init) ?? [])

        return try await withCheckedThrowingContinuation { started in
            let thread = Thread {
                let connection: Connection
                let reader: Reader
                let framing: Framing
                let status: UInt
                do {
                    connection = try Connection(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
                    try connection.write(request)
                    reader = Reader(connection)
                    (status, framing) = try reader.head()
                } catch {
                    started.resume(throwing: error)
                    return
                }
                let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
                continuation.onTermination = { _ in connection.interrupt() }
                started.resume(returning: StreamedAnswer(status: status, body: stream))
                do {
                    try reader.body(framing) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                connection.close()
            }
            thread.name = "cutover-sidecar-http"
            thread.start()
        }
    }

    /// How the body ends.
    enum Framing {
        case chunked
        case length(Int)
        case close
    }

    /// The socket, closed once; `interrupt` (from another thread) wakes a blocked read without racing
    /// the close.
    final class Connection: Sendable {
        private let descriptor: Mutex<Int32>
        private let fd: Int32

        init(host: String, port: Int) throws {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let resolved = getaddrinfo(host, String(port), &hints, &list)
            guard resolved == 0, let first = list else {
                throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
            }
            defer { freeaddrinfo(list) }
            var refused = true
            var lastError = ECONNREFUSED
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let address = entry {
                entry = address.pointee.ai_next
                let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol)
                guard fd >= 0 else { continue }
                if let code = Self.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) {
                    Glibc.close(fd)
                    lastError = code
                    if code != ECONNREFUSED { refused = false }
                    continue
                }
                var timeout = timeval(tv_sec: Int(SocketHTTP.readTimeout), tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                self.fd = fd
                descriptor = Mutex(fd)
                return
            }
            throw Failure(refused: refused, description: "cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
        }

        /// Nil when connected, else the errno; gives up after `connectTimeout`.
        private static func connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: socklen_t) -> Int32? {
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            defer { _ = fcntl(fd, F_SETFL, flags) }
            if Glibc.connect(fd, address, length) == 0 { return nil }
            guard errno == EINPROGRESS else { return errno }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(SocketHTTP.connectTimeout * 1000))
            guard ready > 0 else { return ready == 0 ? ETIMEDOUT : errno }
            var code: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
            return code == 0 ? nil : code
        }

        func write(_ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "connection lost while sending: \(String(cString: strerror(errno)))")
                }
                offset += count
            }
        }

        /// Up to `capacity` bytes; empty at the end of the stream.
        func read(into buffer: inout [UInt8]) throws -> Int {
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
                if count >= 0 { return count }
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw Failure(description: "no word from the sidecar for \(SocketHTTP.readTimeout) s")
                }
                throw Failure(description: "connection lost: \(String(cString: strerror(errno)))")
            }
        }

        func interrupt() {
            descriptor.withLock { fd in
                if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
            }
        }

        func close() {
            descriptor.withLock { fd in
                if fd >= 0 { Glibc.close(fd) }
                fd = -1
            }
        }
    }

    /// Buffered reads of the answer: the head, then the body in its framing.
    final class Reader {
        private let connection: Connection
        private var buffer: [UInt8] = []
        private var start = 0
        private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

        init(_ connection: Connection) { self.connection = connection }

        /// False at the end of the stream.
        private func fill() throws -> Bool {
            let count = try connection.read(into: &scratch)
            if count == 0 { return false }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer += scratch[..<count]
            return true
        }

        private func line() throws -> String {
            while true {
                if let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    var text = buffer[start..<end]
                    if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
                    start = end + 1
                    return String(decoding: text, as: UTF8.self)
                }
                guard buffer.count - start < 64 * 1024 else { throw Failure(description: "the sidecar sent a line longer than 64 KiB") }
                guard try fill() else { throw Failure(description: "connection lost before the answer ended") }
            }
        }

        private func bytes(_ count: Int) throws -> [UInt8] {
            while buffer.count - start < count {
                guard try fill() else { throw Failure(description: "connection lost before the answer ended") }
            }
            defer { start += count }
            return Array(buffer[start..<(start + count)])
        }

        func head() throws -> (UInt, Framing) {
            let statusLine = try line()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = UInt(parts[1]) else {
                throw Failure(description: "the sidecar's answer is not HTTP: \(statusLine.prefix(80))")
            }
            var framing = Framing.close
            while true {
                let header = try line()
                if header.isEmpty { break }
                guard let colon = header.firstIndex(of: ":") else { continue }
                let name = header[..<colon].lowercased()
                let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if name == "transfer-encoding", value.lowercased().contains("chunked") { framing = .chunked }
                if name == "content-length", case .close = framing, let length = Int(value), length >= 0 { framing = .length(length) }
            }
            // 1xx answers carry no body and precede the real one.
            if (100..<200).contains(status) { return try head() }
            return (status, framing)
        }

        func body(_ framing: Framing, _ deliver: ([UInt8]) -> Void) throws {
            switch framing {
            case .length(let length):
                var left = length
                while left > 0 {
                    if buffer.count == start { guard try fill() else { throw Failure(description: "connection lost before the answer ended") } }
                    let piece = Array(buffer[start..<min(buffer.count, start + left)])
                    start += piece.count
                    left -= piece.count
                    deliver(piece)
                }
            case .chunked:
                while true {
                    let sizeLine = try line()
                    guard let size = Int(sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "", radix: 16), size >= 0 else {
                        throw Failure(description: "the sidecar's answer has a bad chunk size: \(sizeLine.prefix(40))")
                    }
                    if size == 0 {
                        while try !line().isEmpty {}  // trailers
                        return
                    }
                    deliver(try bytes(size))
                    guard try line().isEmpty else { throw Failure(description: "the sidecar's answer has a bad chunk end") }
                }
            case .close:
                if buffer.count > start { deliver(Array(buffer[start...])); start = buffer.count }
                while try fill() {
                    deliver(Array(buffer[start...]))
                    start = buffer.count
                }
            }
        }
    }
}

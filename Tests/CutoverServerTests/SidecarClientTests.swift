import CutoverCore
@testable import CutoverServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The CLI's client of the operations API over both of its transports, against the daemon's own
/// application on a real socket: the blocking socket (`http://`, what the CLI uses on loopback) and
/// AsyncHTTPClient (what `https://` goes through). The same answers, events and refusals from each.
@Suite("Sidecar client: socket and AsyncHTTPClient transports")
struct SidecarClientTests {
    enum Via: String, CaseIterable, CustomStringConvertible {
        case socket, asyncHTTPClient
        var description: String { rawValue }
    }

    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        private var started: [String] = []
        func event(_ event: OperationEvent) { lock.withLock { messages.append(event.message) } }
        func start(_ summary: OperationSummary) { lock.withLock { started.append(summary.id) } }
        var events: [String] { lock.withLock { messages } }
        var starts: [String] { lock.withLock { started } }
    }

    @Test(arguments: Via.allCases)
    func aStepRunsToItsEndWithEveryEventOnce(via: Via) async throws {
        let harness = try Harness(runners: [CheckedRunner()])
        defer { harness.cleanUp() }
        try await harness.app.test(.live) { testClient in
            let port = try #require(testClient.port)
            let client = SidecarClient(baseURL: "http://127.0.0.1:\(port)/", token: Secrets.operate, viaAsyncHTTPClient: via == .asyncHTTPClient)
            let seen = Seen()
            let end = try await client.run(step: "promote", environment: "staging", body: Data(#"{"release": "r2"}"#.utf8),
                                           onStart: seen.start, onEvent: seen.event)
            #expect(seen.events == ["promoting staging", "weights 90/10", "exit 0"])
            #expect(seen.starts == [end.id])
            #expect(end.state == .succeeded && end.outcome?.exitCode == 0)
        }
    }

    @Test(arguments: Via.allCases)
    func aRefusedRequestIsTheDaemonsMessageAndAUsageExit(via: Via) async throws {
        let harness = try Harness(runners: [CheckedRunner()])
        defer { harness.cleanUp() }
        try await harness.app.test(.live) { testClient in
            let port = try #require(testClient.port)
            let client = SidecarClient(baseURL: "http://127.0.0.1:\(port)", token: Secrets.operate, viaAsyncHTTPClient: via == .asyncHTTPClient)
            let refused = await #expect(throws: SidecarError.self) {
                _ = try await client.run(step: "promote", environment: "staging", body: Data("{}".utf8), onEvent: { _ in })
            }
            #expect(refused?.exitStatus == 64 && refused?.message.contains("--release") == true, "\(String(describing: refused))")
            let wrongToken = SidecarClient(baseURL: "http://127.0.0.1:\(port)", token: "not-the-token", viaAsyncHTTPClient: via == .asyncHTTPClient)
            let unauthorized = await #expect(throws: SidecarError.self) {
                _ = try await wrongToken.run(step: "promote", environment: "staging", body: Data(#"{"release": "r2"}"#.utf8), onEvent: { _ in })
            }
            #expect(unauthorized?.code == "auth.unauthorized" && unauthorized?.exitStatus == 1, "\(String(describing: unauthorized))")
        }
    }

    @Test(arguments: Via.allCases)
    func nothingListeningIsRetriedForStartWaitThenReported(via: Via) async throws {
        // A port that was free a moment ago: bound, read, closed.
        let port = try freePort()
        let client = SidecarClient(baseURL: "http://127.0.0.1:\(port)", token: Secrets.operate, startWait: .milliseconds(1200),
                                   viaAsyncHTTPClient: via == .asyncHTTPClient)
        let started = ContinuousClock.now
        let failure = await #expect(throws: SidecarError.self) {
            _ = try await client.run(step: "status", environment: "staging", body: Data("{}".utf8), onEvent: { _ in })
        }
        #expect(failure?.code == "sidecar.unreachable", "\(String(describing: failure))")
        // Refused, so retried (every 500 ms) until startWait passed: not given up at the first refusal.
        #expect(ContinuousClock.now - started >= .milliseconds(1000))
    }

    @Test func theSocketTransportReadsEveryFraming() async throws {
        let answers: [(String, [UInt8])] = [
            ("chunked", Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8)),
            ("sized", Array("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world".utf8)),
            ("to the close", Array("HTTP/1.1 200 OK\r\n\r\nhello world".utf8)),
            ("after a 100 Continue", Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhello world".utf8)),
        ]
        for (name, bytes) in answers {
            let port = try OneAnswerServer.start(bytes)
            let answer = try await SocketHTTP.send(method: "GET", url: "http://127.0.0.1:\(port)/x", headers: [], body: nil)
            #expect(answer.status == 200, "\(name)")
            #expect(String(decoding: try await answer.collect(upTo: 1 << 16), as: UTF8.self) == "hello world", "\(name)")
        }
        for (name, bytes) in [("cut inside a chunk", Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhello".utf8)),
                              ("cut short of its length", Array("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello".utf8)),
                              ("a bad chunk size", Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n".utf8))] {
            let port = try OneAnswerServer.start(bytes)
            let answer = try await SocketHTTP.send(method: "GET", url: "http://127.0.0.1:\(port)/x", headers: [], body: nil)
            await #expect(throws: SocketHTTP.Failure.self, "\(name)") { _ = try await answer.collect(upTo: 1 << 16) }
        }
        let notHTTP = try OneAnswerServer.start(Array("SSH-2.0-OpenSSH\r\n".utf8))
        await #expect(throws: SocketHTTP.Failure.self) {
            _ = try await SocketHTTP.send(method: "GET", url: "http://127.0.0.1:\(notHTTP)/x", headers: [], body: nil)
        }
        let closed = try freePort()
        let refused = await #expect(throws: SocketHTTP.Failure.self) {
            _ = try await SocketHTTP.send(method: "GET", url: "http://127.0.0.1:\(closed)/x", headers: [], body: nil)
        }
        #expect(refused?.refused == true)
    }
}

/// A port nothing listens on (bound to find it, then closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    try #require(ok)
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Accepts one connection on loopback, reads the request head, writes `answer` and closes.
enum OneAnswerServer {
    static func start(_ answer: [UInt8]) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(ok)
        Thread.detachNewThread {
            defer { close(fd) }
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var seen: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1024)
            while !String(decoding: seen, as: UTF8.self).contains("\r\n\r\n") {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { return }
                seen += buffer[..<count]
            }
            _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An answer from the sidecar as it arrives: the status, then the body in pieces (a step's log is
/// streamed for as long as the step runs).
struct StreamedAnswer: Sendable {
    var status: UInt
    var body: AsyncThrowingStream<[UInt8], any Error>

    func collect(upTo limit: Int) async throws -> Data {
        var data = Data()
        for try await piece in body {
            data.append(contentsOf: piece)
            if data.count > limit { break }
        }
        return data
    }
}

/// How `SidecarClient` talks HTTP. The CLI's client is a short process: for a sidecar on `http://`
/// (the pod's localhost, the VM's loopback) a blocking socket on a thread of its own is enough and
/// starts in no time, where AsyncHTTPClient first builds event loop threads, a pool and a pipeline (about
/// a third of the client's CPU for a short promotion). `https://` needs TLS, so it goes through
/// AsyncHTTPClient.
enum SidecarTransport: Sendable {
    case socket
    case asyncHTTPClient(HTTPClient)

    /// Sockets for `http://`, AsyncHTTPClient for anything else.
    static func `for`(_ baseURL: String) -> SidecarTransport {
        baseURL.hasPrefix("http://") ? .socket : .asyncHTTPClient(makeClient())
    }

    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        configuration.timeout = .init(connect: .seconds(SocketHTTP.connectTimeout), read: .seconds(SocketHTTP.readTimeout))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(method: String, url: String, headers: [(String, String)], body: Data?) async throws -> StreamedAnswer {
        switch self {
        case .socket:
            return try await SocketHTTP.send(method: method, url: url, headers: headers, body: body)
        case .asyncHTTPClient(let client):
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(request, timeout: .hours(24))
            let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            let reader = Task {
                do {
                    for try await chunk in response.body { continuation.yield(Array(chunk.readableBytesView)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
            return StreamedAnswer(status: UInt(response.status.code), body: stream)
        }
    }

    /// A refused connection: nothing was sent, so the request may be tried again.
    static func isRefused(_ error: any Error) -> Bool {
        if let error = error as? SocketHTTP.Failure { return error.refused }
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        return "\(error)".lowercased().contains("refused")
    }

    func shutdown() {
        if case .asyncHTTPClient(let client) = self { try? client.syncShutdown() }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The production transport: AsyncHTTPClient with one connection pool for the whole process.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    /// Bodies larger than this are refused rather than buffered (config.xml and API answers are small).
    private let maxBodyBytes: Int

    public init(maxBodyBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow  // a redirect is information (doDelete), not a hop
        // A promotion sends one round of requests for every group at once: 8 connections per host (the
        // default) would queue most of a 30-group round behind the first eight.
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.httpVersion = .http1Only
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(10))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
    }

    deinit {
        try? client.syncShutdown()
    }

    /// Closes the pool now (an async caller may not block in `syncShutdown`); `deinit` then has nothing left to do.
    public func shutdown() async {
        try? await client.shutdown()
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000
                + timeout.components.attoseconds / 1_000_000_000)))
            let body = try await response.body.collect(upTo: maxBodyBytes)
            return HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                                body: Data(body.readableBytesView))
        } catch let error as HTTPClientError {
            throw TransportError(kind: Self.kind(of: error), url: request.url, detail: "\(error)")
        } catch let error as IOError {
            throw TransportError(kind: error.errnoCode == ECONNREFUSED ? .connectionRefused : .connectionLost, url: request.url, detail: "\(error)")
        } catch let error as TransportError {
            throw error
        } catch {
            let text = "\(error)"
            throw TransportError(kind: text.contains("refused") ? .connectionRefused : .other, url: request.url, detail: text)
        }
    }

    private static func kind(of error: HTTPClientError) -> TransportError.Kind {
        switch error {
        case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: .timeout
        case .remoteConnectionClosed, .cancelled: .connectionLost
        default: "\(error)".localizedCaseInsensitiveContains("refused") ? .connectionRefused : .other
        }
    }
}

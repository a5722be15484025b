import Foundation
import Hummingbird
import Logging

/// One log line per request: method, path, status, milliseconds. Deliberately no headers and no query
/// string: `Authorization` and webhook signatures are secrets, and this is the only place requests
/// are logged.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        // Probes come every few seconds: at info they would drown the log.
        let probe = request.uri.path == "/healthz" || request.uri.path == "/readyz"
        context.logger.log(level: probe ? .debug : .info, "request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.1f", milliseconds)),
        ])
        return response
    }
}

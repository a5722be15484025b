import Foundation
import Hummingbird
import Prometheus

/// `cutover_http_requests_total{method,route,status}` and `cutover_http_request_duration_seconds{method,route}`.
/// The route is the endpoint's template (`/v1/operations/{id}`), never the raw path, so a scanner
/// cannot grow the series without bound; a path no endpoint matches counts as `unmatched`.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    /// 1 ms to 10 s.
    static let buckets: [Duration] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000].map { .microseconds(Int64($0 * 1000)) }

    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status.code, since: started)
            return response
        } catch {
            record(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(descriptor: ServerMetrics.name("cutover_http_requests_total", "HTTP requests by method, route and status"),
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        let elapsed = ContinuousClock.now - started
        registry.makeDurationHistogram(descriptor: ServerMetrics.name("cutover_http_request_duration_seconds", "HTTP request handling time"),
                                       labels: [("method", method), ("route", route)], buckets: Self.buckets)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}

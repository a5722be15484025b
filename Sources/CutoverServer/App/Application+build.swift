import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The sidecar's HTTP surface in one place, as hummingbird-examples' `buildApplication` does: the
/// endpoint table, the middleware, the router, and the application with its services.
public enum CutoverServerApp {
    /// Every endpoint, in the order the README's API table lists them.
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        HealthRoutes.endpoints(services) + ReconcileRoutes.endpoints(services) + OperationRoutes.endpoints(services)
            + StatusPageRoutes.endpoints(services) + MetricsRoutes.endpoints(services)
    }

    /// The router: access log outermost (it sees the final status), then the request metrics, then JSON
    /// errors, then the routes.
    public static func buildRouter(_ services: ServerServices) -> Router<ServerRequestContext> {
        let endpoints = endpoints(services)
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(registry: services.status.metrics.registry))
        router.add(middleware: ErrorMiddleware(endpoints: endpoints))
        let authenticator = BearerAuthenticator(tokens: services.tokens)
        for endpoint in endpoints { router.add(endpoint, authenticator: authenticator) }
        return router
    }

    /// The application: the HTTP server plus `extraServices` (the watcher, the operations drain) in
    /// Hummingbird's service group, so graceful shutdown reaches all of them. `onListening` gets the
    /// bound address (a port of 0 picks a free one).
    public static func buildApplication(_ services: ServerServices, host: String, port: Int, extraServices: [any Service] = [],
                                        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in })
        -> some ApplicationProtocol {
        var app = Application(
            router: buildRouter(services),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "cutover"),
            onServerRunning: { channel in
                await onListening(host, channel.localAddress?.port ?? port)
            },
            logger: services.logger
        )
        app.addServices(extraServices)
        return app
    }
}

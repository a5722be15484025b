import Hummingbird

/// `GET /metrics`: Prometheus text exposition format 0.0.4. Read scope, or anyone with
/// `serve --public-read` (Prometheus can also send a bearer token: `authorization: credentials_file`).
enum MetricsRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        [
            Endpoint(method: .get, path: "/metrics", access: services.status.access) { _, _, _ in
                let environments = await services.status.cache.environments()
                let bytes = await services.status.metrics.scrape(system: services.status.system, environments: environments,
                                                                 operations: services.operations, reconciler: services.reconciler)
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            },
        ]
    }
}

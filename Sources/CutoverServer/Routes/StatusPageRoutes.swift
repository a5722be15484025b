import CutoverStatusPage
import Hummingbird

/// `GET /`: the status page, server-rendered HTML (no script; it reloads itself every few seconds).
/// Read scope, or anyone with `serve --public-read`.
enum StatusPageRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        [
            Endpoint(method: .get, path: "/", access: services.status.access) { _, _, _ in
                let html = StatusPageHTML.render(await StatusPageAssembler.page(services))
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
            },
        ]
    }
}

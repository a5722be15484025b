import CutoverStatusPage
import HTTPTypes
import Hummingbird

/// `GET /`: the status page, server-rendered HTML (no script; it reloads itself every few seconds).
/// Read scope, or anyone with `serve --public-read`. `Server-Timing: wait;dur=…, render;dur=…, aws;dur=…`
/// (ms): what this request waited for the status cache (about 0, but for the first read), everything
/// else it took (the operations' progress and the HTML), and how long the shared read of AWS, the state
/// store and Jenkins that the page shows took (in the background, at most every 2 s).
enum StatusPageRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        [
            Endpoint(method: .get, path: "/", access: services.status.access) { _, _, _ in
                let clock = ContinuousClock()
                let started = clock.now
                let (page, wait, read) = await StatusPageAssembler.timedPage(services)
                let html = StatusPageHTML.render(page)
                let render = clock.now - started - wait
                var timing = "wait;dur=\(milliseconds(wait)), render;dur=\(milliseconds(render))"
                if let read { timing += ", aws;dur=\(milliseconds(read));desc=\"the AWS, state and Jenkins read shown\"" }
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                                       serverTiming: timing],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
            },
        ]
    }

    static let serverTiming = HTTPField.Name("Server-Timing")!

    /// Milliseconds with three decimals, as Server-Timing's `dur` takes them.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.3f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}

/// `GET /healthz` (the process answers) and `GET /readyz` (everything it needs answers), without a
/// token: orchestrators probe them with none.
enum HealthRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        [
            Endpoint(method: .get, path: "/healthz", access: .open) { _, _, _ in
                JSONResponse.make(["status": "alive"])
            },
            Endpoint(method: .get, path: "/readyz", access: .open) { _, _, _ in
                let report = await services.readiness.report()
                return JSONResponse.make(report, status: report.ready ? .ok : .serviceUnavailable)
            },
        ]
    }
}

import Foundation

/// Reconciling Jenkins with the config: its status, a run on demand, and push webhooks.
enum ReconcileRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        let reconciler = services.reconciler
        return [
            Endpoint(method: .get, path: "/v1/reconcile", access: .token(.read)) { _, _, _ in
                JSONResponse.make(await reconciler.currentStatus())
            },
            // Waits for the run (bounded) so a script can act on its outcome; 202 when it takes longer.
            Endpoint(method: .post, path: "/v1/reconcile", access: .token(.operate)) { _, _, _ in
                let (status, finished) = await reconciler.reconcileNow(reason: "api", timeout: services.reconcileWait)
                return JSONResponse.make(status, status: finished ? .ok : .accepted)
            },
            // Answers at once (forges give up after ~10 s) and reconciles in the background.
            Endpoint(method: .post, path: "/v1/hooks/git", access: .webhook) { request, body, context in
                let event = try services.webhooks.verify(headers: request.headers, body: body)
                if event.isPush {
                    await reconciler.request(reason: "webhook:\(event.forge.rawValue)", force: true)
                }
                context.logger.info("webhook", metadata: ["forge": .string(event.forge.rawValue), "event": .string(event.name),
                                                          "reconcile": .stringConvertible(event.isPush)])
                return JSONResponse.make(HookAnswer(forge: event.forge.rawValue, event: event.name, reconciling: event.isPush),
                                         status: .accepted)
            },
        ]
    }

    struct HookAnswer: Encodable {
        var forge: String
        var event: String
        var reconciling: Bool
    }
}

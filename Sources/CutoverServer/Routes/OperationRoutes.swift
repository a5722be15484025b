/// The operations registry, read side. Starting, events and abort are added with the steps.
enum OperationRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        let operations = services.operations
        return [
            Endpoint(method: .get, path: "/v1/operations", access: .token(.read)) { _, _, _ in
                JSONResponse.make(OperationList(operations: await operations.list()))
            },
            Endpoint(method: .get, path: "/v1/operations/{id}", access: .token(.read)) { _, _, context in
                let id = context.parameters.get("id") ?? ""
                guard let summary = await operations.summary(id) else {
                    throw APIError(.notFound, "operation.not-found", "no operation \(id.debugDescription) (finished ones are kept for a while, then forgotten)")
                }
                return JSONResponse.make(summary)
            },
        ]
    }

    struct OperationList: Encodable {
        var operations: [OperationSummary]
    }
}

import Foundation
import Hummingbird
import NIOCore

/// Operations: start a step, follow its log from any offset, abort it, list and read them.
enum OperationRoutes {
    static func endpoints(_ services: ServerServices) -> [Endpoint] {
        let operations = services.operations
        return [
            Endpoint(method: .post, path: "/v1/environments/{env}/{step}", access: .token(.operate)) { request, body, context in
                let environment = context.parameters.get("env") ?? "", step = context.parameters.get("step") ?? ""
                let summary: OperationSummary
                do {
                    summary = try await operations.start(kind: step, request: OperationRequest(environment: environment, options: body))
                } catch let error as OperationError {
                    throw APIError(error)
                }
                services.logger.info("operation started", metadata: ["id": .string(summary.id), "step": .string(step), "environment": .string(environment)])
                // `?follow=false`: answer at once; the caller polls or follows /events.
                if request.uri.queryParameters.get("follow") == "false" {
                    return JSONResponse.make(summary, status: .accepted, headers: ["Location": "/v1/operations/\(summary.id)"])
                }
                return OperationStream.response(operations, id: summary.id, from: 0, status: .created)
            },
            Endpoint(method: .get, path: "/v1/operations", access: .token(.read)) { _, _, _ in
                JSONResponse.make(OperationList(operations: await operations.list()))
            },
            Endpoint(method: .get, path: "/v1/operations/{id}", access: .token(.read)) { _, _, context in
                JSONResponse.make(try await summary(operations, context))
            },
            Endpoint(method: .get, path: "/v1/operations/{id}/events", access: .token(.read)) { request, _, context in
                let known = try await summary(operations, context)
                let text = request.uri.queryParameters.get("from") ?? "0"
                guard let from = Int(text), from >= 0 else {
                    throw APIError(.badRequest, "operation.bad-offset", "from=\(text.debugDescription) is not an event offset (0 or more)")
                }
                if request.uri.queryParameters.get("follow") == "false" {
                    return JSONResponse.make(EventList(events: await operations.events(known.id, from: from) ?? [], operation: known))
                }
                return OperationStream.response(operations, id: known.id, from: from, status: .ok)
            },
            Endpoint(method: .post, path: "/v1/operations/{id}/abort", access: .token(.operate)) { _, _, context in
                let known = try await summary(operations, context)
                guard let aborted = await operations.abort(known.id) else { throw notFound(known.id) }
                services.logger.warning("operation abort requested", metadata: ["id": .string(known.id), "step": .string(known.kind)])
                return JSONResponse.make(aborted, status: .accepted)
            },
        ]
    }

    private static func summary(_ operations: OperationRegistry, _ context: ServerRequestContext) async throws -> OperationSummary {
        let id = context.parameters.get("id") ?? ""
        guard let summary = await operations.summary(id) else { throw notFound(id) }
        return summary
    }

    private static func notFound(_ id: String) -> APIError {
        APIError(.notFound, "operation.not-found", "no operation \(id.debugDescription) (finished ones are kept for a while, then forgotten)")
    }

    struct OperationList: Encodable {
        var operations: [OperationSummary]
    }

    struct EventList: Encodable {
        var events: [OperationEvent]
        var operation: OperationSummary
    }
}

extension APIError {
    init(_ error: OperationError) {
        switch error {
        case .unknownKind(let kind, let known):
            self.init(.notFound, "operation.unknown-step", "no step \(kind.debugDescription); the steps are \(known.joined(separator: ", "))")
        case .shuttingDown:
            self.init(.serviceUnavailable, "operation.shutting-down", "the daemon is shutting down and starts no new operation; retry on its successor",
                      headers: ["Retry-After": "5"])
        case .badRequest(let message):
            self.init(.badRequest, "operation.bad-request", message)
        }
    }
}

/// An operation's log as NDJSON, one JSON object per line: `{"type":"operation",…}` first, then every
/// event from the offset on as it happens (`{"type":"event","offset":…,"kind":…,"message":…}`), then
/// `{"type":"end","operation":{…}}` with the outcome. A client that loses the connection follows
/// `/v1/operations/{id}/events?from=<last offset + 1>`; the operation itself never depends on it.
enum OperationStream {
    /// A quiet step (a long migration) still writes a line this often, so a client can tell a live
    /// connection from a dead one by a read timeout.
    static let heartbeat = Duration.seconds(15)

    static func response(_ operations: OperationRegistry, id: String, from: Int, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.cacheControl] = "no-store"
        headers[.location] = "/v1/operations/\(id)"
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            var offset = from
            if let summary = await operations.summary(id) { try await writer.write(line(Envelope(type: "operation", operation: summary))) }
            while let summary = await operations.summary(id) {
                let events = await operations.events(id, from: offset) ?? []
                if !events.isEmpty {
                    try await writer.write(contentsOf: events.map { line(Envelope(type: "event", event: $0)) })
                    offset += events.count
                }
                if summary.state.isFinal && offset >= summary.events {
                    try await writer.write(line(Envelope(type: "end", operation: summary)))
                    break
                }
                await operations.waitForEvents(id, beyond: offset, limit: heartbeat)
                if let now = await operations.summary(id), now.events == offset, !now.state.isFinal {
                    try await writer.write(line(Envelope(type: "heartbeat")))
                }
            }
            try await writer.finish(nil)
        })
    }

    /// One line. An event's fields stand at the top level: flat objects are easier to read with jq.
    struct Envelope: Encodable {
        var type: String
        var operation: OperationSummary? = nil
        var offset: Int? = nil
        var time: Date? = nil
        var kind: OperationEvent.Kind? = nil
        var message: String? = nil

        init(type: String) {
            self.type = type
        }

        init(type: String, operation: OperationSummary) {
            self.type = type
            self.operation = operation
        }

        init(type: String, event: OperationEvent) {
            self.type = type
            (offset, time, kind, message) = (event.offset, event.time, event.kind, event.message)
        }
    }

    static func line(_ envelope: Envelope) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: (try? JSONResponse.encoder.encode(envelope)) ?? Data("{}".utf8))
        buffer.writeString("\n")
        return buffer
    }
}

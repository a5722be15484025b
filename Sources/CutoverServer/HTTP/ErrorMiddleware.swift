import Hummingbird
import NIOCore
import Logging

/// Turns every failure into the API's JSON error body with a stable code. An unmatched route becomes
/// 405 (with `Allow`) when the path is known with another method, else 404; anything unexpected is a
/// 500 whose detail goes to the log only.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let endpoints: [Endpoint]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONResponse.error(error)
        } catch let error as HTTPError where error.status == .notFound {
            return JSONResponse.error(unmatched(request))
        } catch is NIOTooManyBytesError {
            return JSONResponse.error(.tooLarge(limit: context.maxUploadSize))
        } catch let error as HTTPError {
            return JSONResponse.error(APIError(error.status, "http.\(error.status.code)", error.body ?? error.status.reasonPhrase))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return JSONResponse.error(.internalError)
        }
    }

    private func unmatched(_ request: Request) -> APIError {
        let allowed = endpoints.filter { $0.matches(path: request.uri.path) }.map(\.method.rawValue)
        if allowed.isEmpty { return .notFound("no endpoint \(request.uri.path)") }
        return .methodNotAllowed(request.method.rawValue, allowed: Array(Set(allowed)).sorted())
    }
}

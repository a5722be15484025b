import Foundation
import HTTPTypes
import Hummingbird

/// JSON answers: one encoder setup for the whole API (sorted keys, ISO 8601 dates), so answers are
/// stable byte for byte and diffable.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: [String: String] = [:]) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        var body = ByteBuffer(bytes: data)
        body.writeString("\n")
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: body))
    }

    /// The error body: `{"error": {"code": "...", "message": "..."}}`.
    static func error(_ error: APIError) -> Response {
        make(["error": ["code": error.code, "message": error.message]], status: error.status, headers: error.headers)
    }
}

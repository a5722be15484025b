import Hummingbird

/// The request context of every route: Hummingbird's core storage, with the API's body limit, so a
/// body collected anywhere (`request.collectBody`, JSON decoding) stops at 64 KiB.
public struct ServerRequestContext: RequestContext {
    /// Larger bodies are refused with 413 `http.body-too-large`.
    public static let maxBodyBytes = 64 * 1024

    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { Self.maxBodyBytes }
}

import CutoverCore
import Foundation

/// Something Jenkins refused or could not do, said so that the person reading it knows what to fix.
public struct JenkinsError: CutoverError, Equatable {
    public enum Kind: String, Sendable {
        /// 401: the user or token is wrong.
        case unauthorized = "jenkins.auth"
        /// 403: authenticated but not allowed (or no credentials where they are required).
        case forbidden = "jenkins.forbidden"
        /// 400 with X-Error: e.g. the item exists.
        case rejected = "jenkins.rejected"
        /// 404: the item or folder does not exist.
        case notFound = "jenkins.not-found"
        /// 5xx or no answer, after every retry.
        case unavailable = "jenkins.unavailable"
        /// An answer cutover cannot use (missing header, unparseable JSON).
        case protocolError = "jenkins.protocol"
        /// No URL or credentials to talk to Jenkins with.
        case notConfigured = "jenkins.not-configured"
        /// The build ended as something other than SUCCESS, or its queue item was cancelled.
        case buildFailed = "jenkins.build-failed"
        /// A folder's config.xml on the server that cutover must edit (its library property) is not
        /// well-formed: it is left as it is rather than overwritten.
        case unreadableFolder = "jenkins.unreadable-folder"
    }

    public var kind: Kind
    public var message: String
    /// The URL the failing request went to, when there was one.
    public var url: String?
    public var status: Int?

    public init(_ kind: Kind, _ message: String, url: String? = nil, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.url = url
        self.status = status
    }

    public var code: String { kind.rawValue }
    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        var text = message
        if let status { text += " (HTTP \(status))" }
        if let url { text += "\n  url: \(url)" }
        return text
    }
}

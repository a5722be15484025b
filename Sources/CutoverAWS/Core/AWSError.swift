import CutoverCore
import CutoverHTTP
import Foundation

/// An AWS call that did not succeed, with what AWS said and the request id to quote to support.
public struct AWSError: CutoverError {
    public enum Reason: Sendable, Equatable {
        /// AWS answered with an error code.
        case service(status: Int, code: String, message: String, requestID: String?)
        /// No answer at all (after retries).
        case transport(String)
        /// An answer cutover cannot read.
        case malformed(String)
    }

    public var service: String
    public var action: String
    public var reason: Reason

    public init(service: String, action: String, reason: Reason) {
        self.service = service
        self.action = action
        self.reason = reason
    }

    public var code: String { "aws.request" }
    public var exitStatus: ExitStatus { .failure }

    /// The AWS error code (`ValidationError`, `ThrottlingException`), nil when there was no answer.
    public var awsCode: String? {
        if case .service(_, let code, _, _) = reason { return code }
        return nil
    }

    public var description: String {
        switch reason {
        case .service(let status, let code, let message, let requestID):
            var text = "\(service) \(action) failed: \(code): \(message) (HTTP \(status)"
            if let requestID { text += ", request id \(requestID)" }
            text += ")"
            if let hint = Self.hint(code: code) { text += "\nhint: \(hint)" }
            return text
        case .transport(let detail):
            return "\(service) \(action) got no answer: \(detail)\nhint: check the endpoint (aws.endpoint, AWS_ENDPOINT_URL) and the network"
        case .malformed(let detail):
            return "\(service) \(action) answered with something cutover cannot read: \(detail)"
        }
    }

    static func hint(code: String) -> String? {
        switch code {
        case "SignatureDoesNotMatch", "InvalidSignatureException":
            return "the secret key does not match the access key id; check AWS_SECRET_ACCESS_KEY or the profile"
        case "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure":
            return "the access key id is unknown to AWS; check the credentials cutover found (see README, AWS credentials)"
        case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
            return "the session token has expired; refresh the credentials (or check this machine's clock)"
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
            return "the credentials lack a permission this step needs; README lists the IAM actions cutover calls"
        default:
            return nil
        }
    }
}

/// No credentials could be found, or a credential source answered with something unusable.
public struct AWSCredentialsError: CutoverError {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var code: String { "aws.credentials" }
    public var exitStatus: ExitStatus { .failure }
    public var description: String { message }
}

import CutoverCore
import Foundation

/// S3 refused a conditional write or delete: the object already exists (`If-None-Match: *`), has
/// another ETag or is gone (`If-Match`), or another conditional write to it was in flight (409
/// `ConditionalRequestConflict`). Never retried: it is an answer about the object, not a failure, and
/// the caller decides (re-read, or report the conflict).
public struct S3PreconditionFailed: CutoverError {
    public var bucket: String
    public var key: String
    /// `PreconditionFailed`, `ConditionalRequestConflict` or `NoSuchKey`.
    public var awsCode: String
    public var requestID: String?

    public init(bucket: String, key: String, awsCode: String, requestID: String?) {
        self.bucket = bucket
        self.key = key
        self.awsCode = awsCode
        self.requestID = requestID
    }

    public var code: String { "aws.s3.precondition" }
    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        "S3 refused a conditional request on s3://\(bucket)/\(key): \(awsCode)" + (requestID.map { " (request id \($0))" } ?? "")
    }
}

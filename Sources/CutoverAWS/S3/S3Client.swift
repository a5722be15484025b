import CutoverHTTP
import Foundation

/// The S3 calls cutover makes to keep shared state: single small objects read, written conditionally
/// (`If-None-Match: *`, `If-Match`), deleted and listed. Signed, retried and error-parsed by `AWSClient`.
public struct S3Client: Sendable {
    public let client: AWSClient
    let addressing: S3Addressing

    public init(client: AWSClient) {
        self.client = client
        addressing = S3Addressing(region: client.region, endpointOverride: client.endpointOverride)
    }

    /// The object's bytes and ETag (quoted, as S3 sends it), or nil when there is no such key.
    public func getObject(bucket: String, key: String) async throws -> (data: Data, etag: String)? {
        do {
            let response = try await client.rest(.s3, "GetObject", method: "GET", url: addressing.url(bucket: bucket, key: key))
            return (response.body, try etag(response, "GetObject"))
        } catch let error as AWSError where error.awsCode == "NoSuchKey" || error.awsCode == "HTTP404" {  // HTTP404: no error body
            return nil
        }
    }

    /// Writes the object and returns its new ETag. With `ifNoneMatch` only if no object exists; with
    /// `ifMatch` only if the object still has that ETag. Throws `S3PreconditionFailed` when the condition
    /// does not hold (S3 answers a missing key under `If-Match` with 404 NoSuchKey: also a failed condition).
    public func putObject(bucket: String, key: String, data: Data, ifNoneMatch: Bool = false, ifMatch: String? = nil) async throws -> String {
        var headers: [(String, String)] = []
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        if let ifMatch { headers.append(("If-Match", ifMatch)) }
        let conditional = ifNoneMatch || ifMatch != nil
        do {
            let response = try await client.rest(.s3, "PutObject", method: "PUT", url: addressing.url(bucket: bucket, key: key),
                                                  headers: headers, body: data)
            return try etag(response, "PutObject")
        } catch let error as AWSError where conditional {
            throw Self.precondition(error, bucket: bucket, key: key, missingKeyFails: ifMatch != nil) ?? error
        }
    }

    /// Deletes the object, only while it has ETag `ifMatch` when given. A missing key is not an error.
    public func deleteObject(bucket: String, key: String, ifMatch: String? = nil) async throws {
        do {
            _ = try await client.rest(.s3, "DeleteObject", method: "DELETE", url: addressing.url(bucket: bucket, key: key),
                                      headers: ifMatch.map { [("If-Match", $0)] } ?? [])
        } catch let error as AWSError where error.awsCode == "NoSuchKey" {
            return
        } catch let error as AWSError where ifMatch != nil {
            throw Self.precondition(error, bucket: bucket, key: key, missingKeyFails: false) ?? error
        }
    }

    /// Every key under `prefix`, in S3's (UTF-8 binary) order, following continuation tokens (ListObjectsV2).
    public func listObjects(bucket: String, prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try await client.rest(.s3, "ListObjectsV2", method: "GET", url: addressing.url(bucket: bucket, query: query))
            let root: XMLNode
            do {
                root = try XMLNode.parse(response.body)
            } catch {
                throw AWSError(service: "S3", action: "ListObjectsV2", reason: .malformed("\(error)"))
            }
            keys += root.all("Contents").compactMap { $0.string("Key") }
            token = root.string("IsTruncated") == "true" ? root.string("NextContinuationToken") : nil
        } while token != nil
        return keys
    }

    /// Creates the bucket in the client's region (for tests and first-time setup). A bucket this
    /// account already owns is success, so setup can run twice.
    public func createBucket(bucket: String) async throws {
        // us-east-1 is the one region that refuses a LocationConstraint naming itself.
        let body = client.region == "us-east-1" ? Data() : Data("""
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>\(client.region)</LocationConstraint></CreateBucketConfiguration>
            """.utf8)
        do {
            _ = try await client.rest(.s3, "CreateBucket", method: "PUT", url: addressing.url(bucket: bucket), body: body)
        } catch let error as AWSError where error.awsCode == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    private func etag(_ response: HTTPResponse, _ action: String) throws -> String {
        guard let etag = response.header("ETag"), !etag.isEmpty else {
            throw AWSError(service: "S3", action: action, reason: .malformed("no ETag header in the answer"))
        }
        return etag
    }

    /// The condition failure `error` stands for, or nil when it is another failure.
    static func precondition(_ error: AWSError, bucket: String, key: String, missingKeyFails: Bool) -> S3PreconditionFailed? {
        guard case .service(let status, let code, _, let requestID) = error.reason else { return nil }
        let failed = status == 412 || code == "PreconditionFailed" || code == "ConditionalRequestConflict"
            || (missingKeyFails && code == "NoSuchKey")
        return failed ? S3PreconditionFailed(bucket: bucket, key: key, awsCode: code, requestID: requestID) : nil
    }
}

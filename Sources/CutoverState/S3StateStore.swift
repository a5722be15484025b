import CutoverAWS
import Foundation

/// The state store in S3: one object per key under `prefix`, the version its ETag, conditions sent as
/// `If-None-Match: *` and `If-Match` so S3 itself refuses a lost update (Terraform's S3 backend locks the
/// same way). Needs s3:GetObject, s3:PutObject and s3:DeleteObject on the prefix and s3:ListBucket on
/// the bucket.
public struct S3StateStore: StateStore {
    public let client: S3Client
    public let bucket: String
    /// Without leading or trailing `/`; empty for the bucket's root.
    public let prefix: String

    public init(client: S3Client, bucket: String, prefix: String) {
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.split(separator: "/").joined(separator: "/")
    }

    public var location: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    public func read(_ key: String) async throws -> StoredObject? {
        try StateKey.check(key, in: location)
        return try await wrapped("read \(key)") {
            try await client.getObject(bucket: bucket, key: objectKey(key)).map { StoredObject(data: $0.data, version: $0.etag) }
        }
    }

    public func write(_ key: String, _ data: Data, condition: WriteCondition) async throws -> String {
        try StateKey.check(key, in: location)
        return try await wrapped("write \(key)") {
            switch condition {
            case .absent:
                do {
                    return try await client.putObject(bucket: bucket, key: objectKey(key), data: data, ifNoneMatch: true)
                } catch is S3PreconditionFailed {
                    throw StateConflict(key: key, location: location, expected: "absent")
                }
            case .version(let version):
                do {
                    return try await client.putObject(bucket: bucket, key: objectKey(key), data: data, ifMatch: version)
                } catch is S3PreconditionFailed {
                    throw StateConflict(key: key, location: location, expected: "at version \(version)")
                }
            }
        }
    }

    public func delete(_ key: String, ifVersion version: String?) async throws {
        try StateKey.check(key, in: location)
        try await wrapped("delete \(key)") {
            do {
                try await client.deleteObject(bucket: bucket, key: objectKey(key), ifMatch: version)
            } catch is S3PreconditionFailed {
                throw StateConflict(key: key, location: location, expected: "at version \(version ?? "")")
            }
        }
    }

    public func list(prefix listPrefix: String) async throws -> [String] {
        try StateKey.checkPrefix(listPrefix, in: location)
        let root = objectKey("")
        return try await wrapped("list \(listPrefix)") {
            try await client.listObjects(bucket: bucket, prefix: objectKey(listPrefix))
                .filter { $0.hasPrefix(root) }
                .map { String($0.dropFirst(root.count)) }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
    }

    private func objectKey(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix)/\(key)" }

    /// Passes conflicts through and turns every other failure into `StateStoreError`.
    private func wrapped<T: Sendable>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let conflict as StateConflict {
            throw conflict
        } catch let error as AWSError {
            throw StateStoreError(location: location, operation: operation, underlying: error.description, hint: hint(for: error.awsCode))
        } catch {
            throw StateStoreError(location: location, operation: operation, underlying: "\(error)", hint: hint(for: nil))
        }
    }

    private func hint(for awsCode: String?) -> String {
        let objects = prefix.isEmpty ? "arn:aws:s3:::\(bucket)/*" : "arn:aws:s3:::\(bucket)/\(prefix)/*"
        switch awsCode {
        case "NoSuchBucket":
            return "the bucket \(bucket) does not exist: create it (versioning on is recommended) or fix `state:` / CUTOVER_STATE"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return "the bucket \(bucket) is in another region than the environment's; use a bucket in the environment's region"
        default:
            return "cutover needs s3:GetObject, s3:PutObject and s3:DeleteObject on \(objects) and s3:ListBucket on arn:aws:s3:::\(bucket)"
        }
    }
}

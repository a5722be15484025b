import Foundation

/// An AWS API cutover calls: how it is signed, where it lives and which wire protocol it speaks.
public struct AWSService: Sendable, Equatable {
    /// The SigV4 signing name (`elasticloadbalancing`).
    public var signingName: String
    /// The endpoint's host prefix (`elasticloadbalancing` in elasticloadbalancing.eu-west-1.amazonaws.com).
    public var endpointPrefix: String
    /// A short name for messages (`ELBv2`).
    public var displayName: String
    public var wireProtocol: WireProtocol

    public enum WireProtocol: Sendable, Equatable {
        /// Form-encoded POST with `Action` and `Version`; XML answers (ELBv2, EC2, RDS).
        case query(version: String)
        /// JSON 1.1 POST with `X-Amz-Target: <prefix>.<Operation>` (ECS).
        case json(targetPrefix: String)
        /// REST: the method, path and headers are the operation; XML `<Error>` answers (S3). The caller
        /// builds the URL, since S3's depends on the bucket.
        case restXML
    }

    public static let elbv2 = AWSService(signingName: "elasticloadbalancing", endpointPrefix: "elasticloadbalancing",
                                         displayName: "ELBv2", wireProtocol: .query(version: "2015-12-01"))
    public static let ec2 = AWSService(signingName: "ec2", endpointPrefix: "ec2", displayName: "EC2",
                                       wireProtocol: .query(version: "2016-11-15"))
    public static let rds = AWSService(signingName: "rds", endpointPrefix: "rds", displayName: "RDS",
                                       wireProtocol: .query(version: "2014-10-31"))
    public static let ecs = AWSService(signingName: "ecs", endpointPrefix: "ecs", displayName: "ECS",
                                       wireProtocol: .json(targetPrefix: "AmazonEC2ContainerServiceV20141113"))
    public static let s3 = AWSService(signingName: "s3", endpointPrefix: "s3", displayName: "S3", wireProtocol: .restXML)

    /// The regional endpoint, or `override` (an emulator, a VPC endpoint) when given.
    public func endpoint(region: String, override: URL?) -> URL {
        if let override { return override }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://\(endpointPrefix).\(region).\(suffix)/")!
    }
}

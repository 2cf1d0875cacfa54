import Foundation

/// A resolved endpoint: where to send and how to sign.
public struct AWSEndpoint: Sendable, Hashable {
    public var url: String
    public var signingRegion: String
    public var signingName: String
}

/// Endpoint resolution as the AWS SDKs do it for the services widash calls.
public enum AWSEndpoints {
    /// Regions for which `AWS_STS_REGIONAL_ENDPOINTS=legacy` still means the global endpoint (botocore's list).
    static let legacyGlobalSTSRegions: Set<String> = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1", "eu-central-1",
        "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ]

    /// `service` is the SDK service id: `sts`, `iam`, `eks`, `eks-auth`.
    /// Order: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL` (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), then defaults.
    public static func resolve(service: String, region: String?, environment: [String: String]) -> AWSEndpoint {
        let signingRegion = region ?? "us-east-1"
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            let key = "AWS_ENDPOINT_URL_" + service.uppercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
            if let url = nonEmpty(environment[key]) ?? nonEmpty(environment["AWS_ENDPOINT_URL"]) {
                let globalSigning = service == "iam" ? "us-east-1" : signingRegion
                return AWSEndpoint(url: url, signingRegion: globalSigning, signingName: service)
            }
        }
        switch service {
        case "sts":
            let mode = environment["AWS_STS_REGIONAL_ENDPOINTS"]?.lowercased() ?? "regional"
            guard let region, !(mode == "legacy" && legacyGlobalSTSRegions.contains(region)), region != "aws-global" else {
                return AWSEndpoint(url: "https://sts.amazonaws.com", signingRegion: "us-east-1", signingName: "sts")
            }
            return AWSEndpoint(url: "https://sts.\(region).\(dnsSuffix(region))", signingRegion: region, signingName: "sts")
        case "iam":
            // IAM is global per partition (botocore endpoints.json `partitionEndpoint`): aws →
            // iam.amazonaws.com for us-east-1, aws-cn → iam.cn-north-1.amazonaws.com.cn for
            // cn-north-1, aws-us-gov → iam.us-gov.amazonaws.com for us-gov-west-1.
            if signingRegion.hasPrefix("cn-") {
                return AWSEndpoint(url: "https://iam.cn-north-1.amazonaws.com.cn", signingRegion: "cn-north-1", signingName: "iam")
            }
            if signingRegion.hasPrefix("us-gov-") {
                return AWSEndpoint(url: "https://iam.us-gov.amazonaws.com", signingRegion: "us-gov-west-1", signingName: "iam")
            }
            return AWSEndpoint(url: "https://iam.amazonaws.com", signingRegion: "us-east-1", signingName: "iam")
        case "eks-auth":
            // eks-auth resolves to the dual-stack suffix (api.aws) in the aws partition.
            let suffix = signingRegion.hasPrefix("cn-") ? "api.amazonwebservices.com.cn" : "api.aws"
            return AWSEndpoint(url: "https://eks-auth.\(signingRegion).\(suffix)", signingRegion: signingRegion, signingName: "eks-auth")
        default:
            return AWSEndpoint(url: "https://\(service).\(signingRegion).\(dnsSuffix(signingRegion))", signingRegion: signingRegion, signingName: service)
        }
    }

    static func dnsSuffix(_ region: String) -> String { region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com" }
}

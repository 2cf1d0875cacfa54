import Foundation

/// How to sign a call to an AWS resource URL: the signing name and region derived from its host,
/// as botocore's endpoint rules name them (botocore `data/endpoints.json`, `data/s3/.../endpoint-rule-set-1.json`).
public struct AWSResourceHost: Sendable, Hashable {
    public var service: String
    public var region: String
    /// S3 signs differently: `x-amz-content-sha256` on every request, the path encoded once.
    public var isS3: Bool { service == "s3" }

    /// Reads `url`'s host; nil when it is not an AWS service host.
    /// - `SERVICE.REGION.amazonaws.com`, `SERVICE.amazonaws.com` (global: us-east-1);
    /// - China: `SERVICE.cn-north-1.amazonaws.com.cn`; GovCloud IAM: `iam.us-gov.amazonaws.com`
    ///   (signed for us-gov-west-1); global IAM in China: `iam.cn-north-1.amazonaws.com.cn`;
    /// - S3: virtual-hosted `BUCKET.s3.REGION.amazonaws.com`, `BUCKET.s3.amazonaws.com` (us-east-1),
    ///   `BUCKET.s3-REGION.amazonaws.com` (legacy dash form), dual-stack `s3.dualstack.REGION…`,
    ///   path-style `s3.REGION.amazonaws.com/BUCKET`.
    public init?(url: String) {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return nil }
        let suffix: String
        if host.hasSuffix(".amazonaws.com.cn") { suffix = ".amazonaws.com.cn" } else if host.hasSuffix(".amazonaws.com") { suffix = ".amazonaws.com" } else {
            return nil
        }
        let labels = host.dropLast(suffix.count).split(separator: ".").map(String.init)
        guard !labels.isEmpty else { return nil }
        let defaultRegion = suffix == ".amazonaws.com.cn" ? "cn-north-1" : "us-east-1"
        func isRegion(_ label: String) -> Bool {
            label.split(separator: "-").count >= 3 && label.last?.isNumber == true
        }
        // S3: the `s3` label (or `s3-REGION`) may follow a bucket name of any number of labels.
        if let index = labels.lastIndex(where: { $0 == "s3" || $0.hasPrefix("s3-") }) {
            let label = labels[index]
            let rest = labels[(index + 1)...].filter { $0 != "dualstack" && $0 != "s3-accelerate" }
            if label.hasPrefix("s3-"), label != "s3-external-1", isRegion(String(label.dropFirst(3))) {
                self.init(service: "s3", region: String(label.dropFirst(3)))
            } else {
                self.init(service: "s3", region: rest.first(where: isRegion) ?? defaultRegion)
            }
            return
        }
        let service = labels[0]
        if service == "iam", labels.count >= 2, labels[1] == "us-gov" {
            self.init(service: "iam", region: "us-gov-west-1")
            return
        }
        self.init(service: service, region: labels.dropFirst().first(where: isRegion) ?? defaultRegion)
    }

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }
}

import Foundation

/// Annotation names read from service accounts.
public enum IdentityAnnotation {
    public static let azureClientID = "azure.workload.identity/client-id"
    public static let azureTenantID = "azure.workload.identity/tenant-id"
    public static let azureTokenExpiration = "azure.workload.identity/service-account-token-expiration"
    /// Pod label (not an annotation) that opts a pod into the Azure webhook.
    public static let azureUseLabel = "azure.workload.identity/use"
    public static let awsRoleARN = "eks.amazonaws.com/role-arn"
    public static let awsAudience = "eks.amazonaws.com/audience"
    public static let awsTokenExpiration = "eks.amazonaws.com/token-expiration"
    public static let awsSTSRegionalEndpoints = "eks.amazonaws.com/sts-regional-endpoints"
    public static let gcpServiceAccount = "iam.gke.io/gcp-service-account"
    /// Pod label that legacy aad-pod-identity bindings select on.
    public static let legacyBindingLabel = "aadpodidbinding"
}

/// An IAM role ARN, e.g. `arn:aws:iam::123456789012:role/path/name`.
public struct AWSRoleARN: Sendable, Hashable {
    public var partition: String
    public var accountID: String
    /// The role name with its path (`path/name`).
    public var roleName: String

    /// Parses a role ARN; nil when `text` is not one (wrong service, account id not 12 digits, not a role).
    public init?(_ text: String) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"].contains(fields[1]),
              fields[2] == "iam", fields[3].isEmpty,
              fields[4].count == 12, fields[4].allSatisfy(\.isASCIIDigit),
              fields[5].hasPrefix("role/") else { return nil }
        let name = fields[5].dropFirst("role/".count)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-/")
        guard !name.isEmpty, name.count <= 512, !name.hasSuffix("/"), name.allSatisfy({ allowed.contains($0) }) else { return nil }
        partition = String(fields[1])
        accountID = String(fields[4])
        roleName = String(name)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Reads a service account's annotations into bindings, and reports annotations that are wrong.
public enum BindingExtractor {
    /// Azure's webhook accepts token expirations in this range (seconds).
    public static let azureTokenExpirationRange = 3_600...86_400
    public static let azureDefaultAudience = "api://AzureADTokenExchange"
    public static let awsDefaultAudience = "sts.amazonaws.com"
    public static let awsDefaultTokenExpiration = 86_400

    /// Bindings declared by annotations, in a fixed order (Azure, AWS, GCP), and the findings about them.
    public static func bindings(for sa: ServiceAccount) -> (bindings: [IdentityBinding], findings: [Finding]) {
        let a = sa.metadata.annotations ?? [:]
        let subject = sa.metadata.key
        let ns = sa.metadata.namespace ?? "default"
        var bindings: [IdentityBinding] = []
        var findings: [Finding] = []

        if let clientID = a[IdentityAnnotation.azureClientID] {
            var expiration: Int?
            if let raw = a[IdentityAnnotation.azureTokenExpiration] {
                let value = Int(raw.trimmingCharacters(in: .whitespaces))
                expiration = value
                if value.map({ !azureTokenExpirationRange.contains($0) }) ?? true {
                    findings.append(Finding(.azureTokenExpirationOutOfRange, .error, subject: subject,
                        message: "annotation \(IdentityAnnotation.azureTokenExpiration) is \"\(raw)\"; the Azure webhook "
                            + "accepts 3600–86400 seconds and rejects pods of this service account",
                        fix: "kubectl -n \(ns) annotate serviceaccount \(sa.metadata.name) "
                            + "\(IdentityAnnotation.azureTokenExpiration)=3600 --overwrite"))
                }
            }
            bindings.append(IdentityBinding(provider: .azure, cloudIdentity: clientID, tenant: a[IdentityAnnotation.azureTenantID],
                                            audience: azureDefaultAudience, tokenExpirationSeconds: expiration ?? 3_600,
                                            source: "annotation \(IdentityAnnotation.azureClientID)"))
        }

        if let arn = a[IdentityAnnotation.awsRoleARN] {
            let parsed = AWSRoleARN(arn.trimmingCharacters(in: .whitespaces))
            if parsed == nil {
                findings.append(Finding(.invalidRoleARN, .error, subject: subject,
                    message: "annotation \(IdentityAnnotation.awsRoleARN) is \"\(arn)\", which is not an IAM role ARN "
                        + "(expected arn:aws:iam::<12-digit account>:role/<name>); STS will refuse AssumeRoleWithWebIdentity",
                    fix: "kubectl -n \(ns) annotate serviceaccount \(sa.metadata.name) "
                        + "\(IdentityAnnotation.awsRoleARN)=arn:aws:iam::<ACCOUNT_ID>:role/<ROLE_NAME> --overwrite"))
            }
            var details: [String: String] = [:]
            if let regional = a[IdentityAnnotation.awsSTSRegionalEndpoints] { details["sts-regional-endpoints"] = regional }
            let expiration = a[IdentityAnnotation.awsTokenExpiration].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            bindings.append(IdentityBinding(provider: .awsIRSA, cloudIdentity: arn, tenant: parsed?.accountID,
                                            audience: a[IdentityAnnotation.awsAudience] ?? awsDefaultAudience,
                                            tokenExpirationSeconds: expiration ?? awsDefaultTokenExpiration,
                                            source: "annotation \(IdentityAnnotation.awsRoleARN)",
                                            details: details.isEmpty ? nil : details))
        }

        if let gsa = a[IdentityAnnotation.gcpServiceAccount] {
            bindings.append(IdentityBinding(provider: .gcp, cloudIdentity: gsa, tenant: gcpProject(fromServiceAccount: gsa),
                                            source: "annotation \(IdentityAnnotation.gcpServiceAccount)"))
        }
        return (bindings, findings)
    }

    /// The project of `name@PROJECT.iam.gserviceaccount.com`; nil for other forms.
    public static func gcpProject(fromServiceAccount email: String) -> String? {
        guard let at = email.firstIndex(of: "@") else { return nil }
        let domain = email[email.index(after: at)...]
        let suffix = ".iam.gserviceaccount.com"
        guard domain.hasSuffix(suffix), domain.count > suffix.count else { return nil }
        return String(domain.dropLast(suffix.count))
    }
}

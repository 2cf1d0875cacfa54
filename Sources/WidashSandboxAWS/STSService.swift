import Foundation
import WidashSandboxKit

/// AWS STS (query protocol): `AssumeRoleWithWebIdentity` (unsigned, verifies the web identity token
/// and the role's trust policy) and `GetCallerIdentity` (SigV4).
public struct STSService: SandboxService {
    static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

    let catalog: AWSCatalog
    let store: AWSCredentialStore
    let keys: IssuerKeyVerifier
    let now: @Sendable () -> Date

    init(catalog: AWSCatalog, store: AWSCredentialStore, keys: IssuerKeyVerifier, now: @escaping @Sendable () -> Date) {
        self.catalog = catalog
        self.store = store
        self.keys = keys
        self.now = now
    }

    /// `sts.amazonaws.com` and the regional `sts.<region>.amazonaws.com`.
    public func answers(host: String) -> Bool {
        host == "sts.amazonaws.com" || (host.hasPrefix("sts.") && host.hasSuffix(".amazonaws.com") && host.split(separator: ".").count == 4)
    }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let params = AWSWire.queryParameters(request)
        let result: Result<String, AWSError>
        switch params["Action"] {
        case "AssumeRoleWithWebIdentity":
            result = await assumeRoleWithWebIdentity(params)
        case "GetCallerIdentity":
            let verifier = SigV4Verifier(store: store, service: "sts", flavor: .query, now: now)
            result = await verifier.authenticate(request).map(Self.callerIdentityResult)
        case nil:
            result = .failure(AWSQuery.missingAction())
        case let action?:
            result = .failure(AWSQuery.invalidAction(action, version: "2011-06-15"))
        }
        return AWSQuery.response(action: params["Action"] ?? "", namespace: Self.namespace, result: result)
    }

    static func callerIdentityResult(_ credential: AWSCredential) -> String {
        """
            \(AWSWire.element("Arn", credential.principal.arn))
            \(AWSWire.element("UserId", credential.principal.userID))
            \(AWSWire.element("Account", credential.principal.account))
        """
    }

    func assumeRoleWithWebIdentity(_ params: [String: String]) async -> Result<String, AWSError> {
        var missing: [String] = []
        for (name, member) in [("RoleArn", "roleArn"), ("RoleSessionName", "roleSessionName"), ("WebIdentityToken", "webIdentityToken")]
        where (params[name] ?? "").isEmpty {
            missing.append("Value null at '\(member)' failed to satisfy constraint: Member must not be null")
        }
        guard missing.isEmpty, let roleArn = params["RoleArn"], let session = params["RoleSessionName"],
              let token = params["WebIdentityToken"] else {
            let noun = missing.count == 1 ? "error" : "errors"
            return .failure(.validation("\(missing.count) validation \(noun) detected: \(missing.joined(separator: "; "))"))
        }
        // RoleSessionName: 2-64 characters of [\w+=,.@-]* (STS service model, botocore
        // `data/sts/2011-06-15/service-2.json` roleSessionNameType); each rule its own message.
        if session.count < 2 || session.count > 64 {
            let bound = session.count < 2 ? "greater than or equal to 2" : "less than or equal to 64"
            return .failure(.validation("1 validation error detected: Value '\(session)' at 'roleSessionName' failed to satisfy constraint: Member must have length \(bound)"))
        }
        if !Self.isValidSessionName(session) {
            return .failure(.validation("1 validation error detected: Value '\(session)' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"))
        }
        let duration = Int(params["DurationSeconds"] ?? "3600") ?? -1
        if duration < 900 || duration > 43200 {
            return .failure(.validation("1 validation error detected: Value '\(params["DurationSeconds"] ?? "")' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"))
        }

        let verdict = await WebIdentityExchange(catalog: catalog, keys: keys, now: now)
            .verify(token: token, roleArn: roleArn)
        let grant: WebIdentityExchange.Grant
        switch verdict {
        case .success(let g): grant = g
        case .failure(let error): return .failure(error)
        }
        if duration > grant.role.maxSessionDuration {
            return .failure(.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."))
        }
        let principal = AWSPrincipal(arn: "arn:aws:sts::\(catalog.account):assumed-role/\(grant.role.name)/\(session)",
                                     userID: "\(grant.role.roleID):\(session)", account: catalog.account)
        let credential = await store.issue(for: principal, expiration: now().addingTimeInterval(TimeInterval(duration)))
        return .success("""
            \(AWSWire.element("SubjectFromWebIdentityToken", grant.claims.subject))
            \(AWSWire.element("Audience", grant.audience))
            <AssumedRoleUser>
              \(AWSWire.element("Arn", principal.arn))
              \(AWSWire.element("AssumedRoleId", principal.userID))
            </AssumedRoleUser>
            <Credentials>
              \(AWSWire.element("AccessKeyId", credential.accessKeyID))
              \(AWSWire.element("SecretAccessKey", credential.secretAccessKey))
              \(AWSWire.element("SessionToken", credential.sessionToken ?? ""))
              \(AWSWire.element("Expiration", AWSWire.iso8601(credential.expiration ?? now())))
            </Credentials>
            \(AWSWire.element("Provider", grant.provider.arn))
        """)
    }

    /// STS's role session name pattern: 2–64 of `[\w+=,.@-]`.
    static func isValidSessionName(_ name: String) -> Bool {
        guard (2...64).contains(name.count) else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_+=,.@-".unicodeScalars.contains($0) }
    }
}

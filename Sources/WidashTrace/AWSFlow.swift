import Foundation
import WidashCore
import WidashCloud
import WidashHTTP

/// Steps 2–5 for AWS IRSA (STS AssumeRoleWithWebIdentity) and EKS Pod Identity (eks-auth).
struct AWSFlow: Sendable {
    var context: TraceContext
    var runner: StepRunner
    var minted: MintedToken

    var reading: PodReading { context.reading }
    var isPodIdentity: Bool { reading.provider == .awsPodIdentity }

    /// The region the pod's SDK would use, then the operator's.
    var region: String? {
        [reading.environment["AWS_REGION"], reading.environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty }
            ?? context.services.awsConfiguration.region()
    }

    /// Endpoint settings: the operator's overrides, with the pod's STS regional setting when the operator has none.
    var endpointEnvironment: [String: String] {
        var env = context.services.environment
        if env["AWS_STS_REGIONAL_ENDPOINTS"] == nil, let pod = reading.environment["AWS_STS_REGIONAL_ENDPOINTS"] {
            env["AWS_STS_REGIONAL_ENDPOINTS"] = pod
        }
        return env
    }

    func endpoint(_ service: String) -> AWSEndpoint { AWSEndpoints.resolve(service: service, region: region, environment: endpointEnvironment) }

    var sessionName: String {
        let raw = "widash-trace-\(reading.podName)"
        return String(raw.map { $0.isLetter || $0.isNumber || "+=,.@-_".contains($0) ? $0 : "-" }.prefix(64))
    }

    func run() async {
        let operatorCredentials = context.services.awsConfiguration.credentials()
        let token = minted.token
        let transport = context.services.transport
        let timeouts = context.timeouts
        let roleARN = reading.cloudIdentity ?? ""
        let cluster = context.options.eksClusterName
        let session = sessionName

        // Step 2: the exchange request.
        let sent: StepOutcome<AWSExchange<AssumedRoleCredentials>>
        if isPodIdentity {
            let ep = endpoint("eks-auth")
            sent = await runner.run(2, endpoint: RequestLine.endpoint(ep.url)) { () async throws -> StepOutcome<AWSExchange<AssumedRoleCredentials>> in
                var e = Evidence([("request", "POST \(ep.url)/clusters/\(cluster ?? "<cluster>")/assume-role-for-pod-identity"), ("body", "{\"token\": <test token, redacted>}")])
                guard let cluster else {
                    return .failed(e, Diagnosis(summary: "the EKS cluster name is needed for eks-auth AssumeRoleForPodIdentity", fix: "pass the cluster name (--eks-cluster NAME)"))
                }
                guard case .success(let signing) = operatorCredentials else {
                    if case .failure(let issue) = operatorCredentials { e["signing"] = "\(issue)" }
                    return .failed(e, Diagnosis(summary: "eks-auth requires a SigV4 signature (the Pod Identity agent signs with the node role); widash found no AWS credentials to sign with",
                                                fix: "export AWS credentials allowed to call eks-auth:AssumeRoleForPodIdentity (or AWS_PROFILE)"))
                }
                e["signedWith"] = signing.description
                let x = try await EKSAuthClient(transport: transport, endpoint: ep, timeouts: timeouts)
                    .assumeRoleForPodIdentity(cluster: cluster, token: token, signingCredentials: signing, date: context.options.now())
                e["status"] = String(x.status)
                if case .failure(let err) = x.result { e["errorCode"] = err.code; e["error"] = err.message }
                return .passed(e, x)
            }
        } else {
            let ep = endpoint("sts")
            sent = await runner.run(2, endpoint: RequestLine.endpoint(ep.url)) { () async throws -> StepOutcome<AWSExchange<AssumedRoleCredentials>> in
                var e = Evidence([("request", "POST \(ep.url)/"),
                                  ("form", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=\(roleARN)&RoleSessionName=\(session)&WebIdentityToken=<test token, redacted>"),
                                  ("signature", "none (the web identity token is the credential)")])
                let x = try await STSClient(transport: transport, endpoint: ep, timeouts: timeouts)
                    .assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: session, webIdentityToken: token)
                e["status"] = String(x.status)
                if case .failure(let err) = x.result { e["errorCode"] = err.code; e["error"] = err.message }
                return .passed(e, x)
            }
        }
        guard let exchange = sent.value, sent.status == .passed else { return runner.skipRest(from: 3, reason: "step 2 failed") }

        // Step 3: trust (OIDC provider + trust policy, or the association) and AWS's verdict.
        let trusted = await runner.run(3, endpoint: "the issuer, IAM or EKS") { () async throws -> StepOutcome<Bool> in
            try await trustStep(exchange: exchange, operatorCredentials: operatorCredentials)
        }
        guard trusted.status == .passed else { return runner.skipRest(from: 4, reason: "step 3 failed") }

        // Step 4: temporary credentials.
        let issued = await runner.run(4, endpoint: nil) { () async throws -> StepOutcome<AssumedRoleCredentials> in
            var e = Evidence()
            switch exchange.result {
            case .success(let c):
                e["accessKeyId"] = TokenRedaction.accessKeyID(c.credentials.accessKeyID)
                e["sessionToken"] = c.credentials.sessionToken.map { TokenRedaction.redactOpaque($0) } ?? "(none)"
                if let exp = c.credentials.expiration {
                    e["expiration"] = TokenClock.timestamp(exp) + " (in \(Int(exp.timeIntervalSince(context.options.now()))) s)"
                }
                if let arn = c.assumedRoleARN { e["assumedRoleArn"] = arn }
                if let s = c.subjectFromWebIdentityToken { e["subject"] = s }
                return .passed(e, c)
            case .failure(let err):
                e["errorCode"] = err.code
                return .failed(e, Diagnosis(summary: "\(err.code): no credentials were issued: \(err.message)"))
            }
        }
        guard let creds = issued.value, issued.status == .passed else { return runner.skipRest(from: 5, reason: "step 4 failed") }

        guard runner.mayCallResource(context.options) else { return }
        // Step 5: a signed call with the temporary credentials.
        let sts = endpoint("sts")
        let resource = context.options.resourceURL ?? ResourceProposal.aws(environment: reading.environment)
        _ = await runner.run(5, endpoint: RequestLine.endpoint(resource ?? sts.url)) { () async throws -> StepOutcome<Bool> in
            if let resource, let host = AWSResourceHost(url: resource) {
                var e = Evidence([("request", "GET \(resource)"), ("signedAs", "\(host.service) in \(host.region)")])
                let signer = SigV4Signer.forResource(host, credentials: creds.credentials)
                let request = signer.sign(HTTPRequest(method: "GET", url: resource, timeouts: timeouts), date: context.options.now())
                let response = try await WidashCloudSend.send(transport, request)
                e["status"] = String(response.status)
                if (200..<300).contains(response.status) { return .passed(e, true) }
                let (code, message) = ServiceErrorBody.parse(response)
                if let code { e["errorCode"] = code }
                if let message { e["error"] = message }
                return .failed(e, Diagnosis(summary: "\(resource) refused the role's credentials with HTTP \(response.status)\(code.map { ": \($0)" } ?? "")\(message.map { " \($0)" } ?? "")",
                                            fix: "allow the action in a policy attached to \(creds.assumedRoleARN ?? roleARN)"))
            }
            var e = Evidence([("request", "POST \(sts.url)/ Action=GetCallerIdentity (SigV4 with the temporary credentials)")])
            let x = try await STSClient(transport: transport, endpoint: sts, timeouts: timeouts)
                .getCallerIdentity(credentials: creds.credentials, date: context.options.now())
            e["status"] = String(x.status)
            switch x.result {
            case .success(let id):
                e["arn"] = id.arn
                e["account"] = id.account
                return .passed(e, true)
            case .failure(let err):
                e["errorCode"] = err.code
                e["error"] = err.message
                return .failed(e, Diagnosis(summary: "\(err.code): STS refused the temporary credentials: \(err.message)"))
            }
        }
    }

    func trustStep(exchange: AWSExchange<AssumedRoleCredentials>, operatorCredentials: Result<AWSCredentials, AWSConfigurationIssue>) async throws -> StepOutcome<Bool> {
        let jwt = minted.jwt
        let issuer = await IssuerCheck.run(cluster: context.cluster, transport: context.services.transport, jwt: jwt, timeouts: context.preflightTimeouts)
        var e = issuer.evidence
        let iss = jwt?.iss ?? "?"
        let sub = jwt?.sub ?? "system:serviceaccount:\(reading.namespace):\(reading.serviceAccount)"
        let roleARN = reading.cloudIdentity ?? ""
        var evaluation: TrustEvaluation?
        var policy: TrustPolicy?
        var providerARN: String?
        var oidcProvider: OIDCProvider?
        var association: PodIdentityAssociation?
        var associationsRead = false

        // The audit's reading (shared, so what an audit read is not read again).
        let reader = context.services.trustReader
        if case .failure(let issue) = operatorCredentials {
            e[isPodIdentity ? "association" : "trustPolicy"] = "not checked: \(issue)"
        } else if isPodIdentity {
            if let cluster = context.options.eksClusterName {
                switch await reader.podIdentityAssociations(cluster: EKSClusterRef(name: cluster, region: region),
                                                            serviceAccounts: ["\(reading.namespace)/\(reading.serviceAccount)"]) {
                case .failure(let p): e["association"] = "not read: \(p.reason)"
                case .success(let list):
                    associationsRead = true
                    association = list.first { $0.namespace == reading.namespace && $0.serviceAccount == reading.serviceAccount }
                    e["association"] = association.map { "\($0.associationID): \(reading.namespace)/\(reading.serviceAccount) → \($0.roleARN ?? "?")" }
                        ?? "(none for \(reading.namespace)/\(reading.serviceAccount) in cluster \(cluster))"
                }
            }
        } else if let arn = TrustEvaluator.providerARN(issuer: iss, roleARN: roleARN) {
            providerARN = arn
            switch await reader.oidcProvider(arn: arn) {
            case .failure(let p): e["oidcProvider"] = "not read: \(p.reason)"
            case .success(let provider):
                oidcProvider = provider
                e["oidcProvider"] = provider.map { "\($0.arn) (client ids \($0.clientIDs.joined(separator: ",")))" } ?? "(none for \(iss))"
            }
            switch await reader.iamRole(arn: roleARN) {
            case .failure(let p): e["trustPolicy"] = "not read: \(p.reason)"
            case .success(nil): e["trustPolicy"] = "(IAM has no role \(roleARN))"
            case .success(let role?):
                policy = role.trustPolicy
                e["trustPolicy"] = role.assumeRolePolicyDocument
                if let p = policy, let jwt {
                    let ev = p.evaluate(providerARN: arn, claims: ["sub": jwt.sub.map { [$0] } ?? [], "aud": jwt.aud])
                    evaluation = ev
                    e["preflight"] = ev.reason
                }
            }
        }

        switch exchange.result {
        case .success:
            e["verdict"] = isPodIdentity ? "eks-auth issued credentials" : "STS accepted the token"
            return .passed(e, true)
        case .failure(let err):
            e["errorCode"] = err.code
            e["verdict"] = err.message
            let trustCodes: Set<String> = ["AccessDenied", "InvalidIdentityToken", "ExpiredTokenException", "IDPRejectedClaim", "IDPCommunicationError",
                                           "AccessDeniedException", "InvalidTokenException", "ResourceNotFoundException"]
            guard trustCodes.contains(err.code) else {
                e["verdict"] = "no trust error; AWS answered \(err.code) (see step 4)"
                return .passed(e, false)
            }
            if isPodIdentity {
                return .failed(e, podIdentityDiagnosis(err, association: association, associationsRead: associationsRead, issuerProblem: issuer.problem))
            }
            if err.code == "InvalidIdentityToken", err.message.lowercased().contains("thumbprint") {
                let chain = await servedChain(issuer: iss)
                e["issuerChainThumbprints"] = chain.isEmpty ? "(not read)" : chain.joined(separator: ",")
                return .failed(e, thumbprintDiagnosis(err, issuer: iss, provider: oidcProvider, providerARN: providerARN, chain: chain))
            }
            return .failed(e, irsaDiagnosis(err, iss: iss, sub: sub, roleARN: roleARN, providerARN: providerARN, policy: policy,
                                             evaluation: evaluation, issuerProblem: issuer.problem))
        }
    }

    func irsaDiagnosis(_ err: AWSServiceError, iss: String, sub: String, roleARN: String, providerARN: String?, policy: TrustPolicy?,
                       evaluation: TrustEvaluation?, issuerProblem: Diagnosis?) -> Diagnosis {
        let path = IAMClient.providerPath(issuer: iss)
        let roleName = IAMClient.roleName(fromARN: roleARN) ?? "<role>"
        switch err.code {
        case "AccessDenied":
            if let evaluation, !evaluation.failures.isEmpty, let policy {
                let mismatches = evaluation.failures.map {
                    Mismatch(field: "trust policy \($0.op) \($0.key)", expected: $0.expected.joined(separator: ","), actual: $0.actual.isEmpty ? "(claim missing)" : $0.actual.joined(separator: ","))
                }
                let parts = evaluation.failures.map { "the trust policy's \($0.key) condition (\($0.op)) is \($0.expected.joined(separator: ",")), the token's is \($0.actual.joined(separator: ","))" }
                let corrected = policy.corrected(for: evaluation.failures)
                return Diagnosis(summary: "AccessDenied: " + parts.joined(separator: "; "), mismatches: mismatches,
                                 fix: corrected.map { "aws iam update-assume-role-policy --role-name \(roleName) --policy-document '\($0)'" }
                                    ?? "set the condition \(path):sub to \(sub) in the trust policy of \(roleName)")
            }
            if let evaluation, evaluation.statementIndex == nil {
                return Diagnosis(summary: "AccessDenied: \(evaluation.reason)",
                                 mismatches: [Mismatch(field: "trust policy Principal.Federated", expected: providerARN ?? "arn:aws:iam::<account>:oidc-provider/\(path)", actual: "(not in the policy)")],
                                 fix: "add a statement allowing sts:AssumeRoleWithWebIdentity for Federated \(providerARN ?? "arn:aws:iam::<account>:oidc-provider/\(path)") with StringEquals \(path):sub = \(sub)")
            }
            return Diagnosis(summary: "AccessDenied: \(err.message); the role's trust policy was not readable here, so the failing condition is not known (the token's sub is \(sub), aud \(minted.jwt?.aud.joined(separator: ",") ?? "?"))",
                             mismatches: [Mismatch(field: "trust policy \(path):sub", expected: "(not read)", actual: sub)],
                             fix: "make the trust policy of \(roleName) contain \"StringEquals\": {\"\(path):sub\": \"\(sub)\", \"\(path):aud\": \"sts.amazonaws.com\"}")
        case "InvalidIdentityToken" where err.message.contains("OpenIDConnect provider") || err.message.lowercased().contains("no openid"):
            return Diagnosis(summary: "InvalidIdentityToken: the account has no IAM OIDC provider for issuer \(iss)",
                             mismatches: [Mismatch(field: "IAM OIDC provider", expected: path, actual: "(missing)")],
                             fix: "aws iam create-open-id-connect-provider --url \(iss) --client-id-list sts.amazonaws.com (or eksctl utils associate-iam-oidc-provider --approve)")
        case "InvalidIdentityToken" where err.message.lowercased().contains("audience"):
            return Diagnosis(summary: "InvalidIdentityToken: \(err.message)",
                             mismatches: [Mismatch(field: "audience", expected: "a client id of the IAM OIDC provider (sts.amazonaws.com)", actual: minted.jwt?.aud.joined(separator: ",") ?? "?")],
                             fix: "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn \(providerARN ?? "<provider arn>") --client-id \(minted.jwt?.aud.first ?? "sts.amazonaws.com")")
        case "ExpiredTokenException":
            return Diagnosis(summary: "ExpiredTokenException: \(err.message)",
                             fix: "the token had expired when STS checked it: check node and API server clocks and that the app re-reads AWS_WEB_IDENTITY_TOKEN_FILE")
        case "IDPCommunicationError":
            return Diagnosis(summary: "IDPCommunicationError: STS could not reach the issuer \(iss)" + (issuerProblem.map { ": \($0.summary)" } ?? ""),
                             fix: issuerProblem?.fix ?? "make \(iss)/.well-known/openid-configuration and its JWKS publicly reachable")
        default:
            return Diagnosis(summary: "\(err.code): \(err.message)" + (issuerProblem.map { " (\($0.summary))" } ?? ""), mismatches: issuerProblem?.mismatches ?? [],
                             fix: issuerProblem?.fix)
        }
    }

    /// The SHA-1 thumbprints of the certificates the issuer's HTTPS server presents, leaf first.
    func servedChain(issuer: String) async -> [String] {
        let url = issuer.trimmingSlashesSuffix + "/.well-known/openid-configuration"
        let request = HTTPRequest(url: url, timeouts: context.preflightTimeouts, maxBodyBytes: 1 << 20, capturesCertificateChain: true)
        guard let response = try? await context.services.transport.send(request) else { return [] }
        return response.certificateChain.compactMap(CertificateFingerprint.sha1(pem:))
    }

    /// STS refused the issuer's certificate: the provider's thumbprints next to the chain's. IAM
    /// takes the top certificate of the served chain (IAM user guide, "Obtain the thumbprint for an
    /// OpenID Connect identity provider"); a thumbprint of another certificate of the chain is the
    /// usual mistake.
    func thumbprintDiagnosis(_ err: AWSServiceError, issuer: String, provider: OIDCProvider?, providerARN: String?,
                             chain: [String]) -> Diagnosis {
        let configured = provider?.thumbprints.map { $0.lowercased() } ?? []
        let top = chain.last
        let arn = providerARN ?? "<provider arn>"
        var summary = "InvalidIdentityToken: \(err.message): the IAM OIDC provider for \(issuer) trusts thumbprint(s) "
            + (configured.isEmpty ? "(not read)" : configured.joined(separator: ", "))
        if top != nil {
            summary += "; the issuer's chain is " + chain.enumerated().map { index, print in
                "\(print) (\(index == 0 ? "leaf" : index == chain.count - 1 ? "top" : "intermediate"))"
            }.joined(separator: ", ")
            if let stale = configured.first(where: { chain.dropLast().contains($0) }) {
                summary += "; \(stale) is a lower certificate of the chain, IAM wants the top one"
            }
        } else {
            summary += "; the issuer's certificate chain could not be read from here"
        }
        return Diagnosis(summary: summary,
                         mismatches: [Mismatch(field: "OIDC provider thumbprint", expected: top ?? "(the top certificate of \(issuer)'s chain)",
                                               actual: configured.isEmpty ? "(not read)" : configured.joined(separator: ","))],
                         fix: "aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn \(arn) --thumbprint-list \(top ?? "<thumbprint>")")
    }

    func podIdentityDiagnosis(_ err: AWSServiceError, association: PodIdentityAssociation?, associationsRead: Bool, issuerProblem: Diagnosis?) -> Diagnosis {
        let ns = reading.namespace, sa = reading.serviceAccount
        let cluster = context.options.eksClusterName ?? "<cluster>"
        if associationsRead && association == nil || err.code == "ResourceNotFoundException" {
            return Diagnosis(summary: "\(err.code): no Pod Identity association for \(ns)/\(sa) in cluster \(cluster): \(err.message)",
                             mismatches: [Mismatch(field: "pod identity association", expected: "\(ns)/\(sa)", actual: "(none)")],
                             fix: "aws eks create-pod-identity-association --cluster-name \(cluster) --namespace \(ns) --service-account \(sa) --role-arn <role-arn>")
        }
        if err.code == "InvalidTokenException" || err.code == "ExpiredTokenException" {
            return Diagnosis(summary: "\(err.code): eks-auth rejected the token: \(err.message)",
                             mismatches: [Mismatch(field: "audience", expected: "pods.eks.amazonaws.com", actual: minted.jwt?.aud.joined(separator: ",") ?? "?")],
                             fix: issuerProblem?.fix ?? "the token must have audience pods.eks.amazonaws.com and be unexpired")
        }
        return Diagnosis(summary: "\(err.code): \(err.message)" + (association.map { " (association \($0.associationID) → \($0.roleARN ?? "?"))" } ?? ""),
                         fix: "the role's trust policy must allow the service principal pods.eks.amazonaws.com to sts:AssumeRole and sts:TagSession")
    }
}

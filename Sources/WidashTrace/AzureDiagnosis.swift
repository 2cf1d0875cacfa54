import Foundation
import WidashCore
import WidashCloud

/// Turns Entra's verdicts and the federated-credential comparison into diagnoses with fixes.
enum AzureDiagnosis {
    static func trust(_ error: EntraError, meaning: EntraErrorMeaning, jwt: DecodedJWT?, lookup: FederatedCredentialLookup,
                      evaluation: FederatedCredentialEvaluation?, issuerProblem: Diagnosis?, reading: PodReading,
                      tenantID: String) -> Diagnosis {
        let code = error.code ?? error.error
        let presented = error.presented
        let iss = jwt?.iss ?? presented.issuer ?? "?"
        let sub = jwt?.sub ?? presented.subject ?? "system:serviceaccount:\(reading.namespace):\(reading.serviceAccount)"
        let aud = jwt?.aud.first ?? presented.audience ?? reading.audience
        var holder: FederatedCredentialHolder?
        var notReadReason: String?
        switch lookup {
        case .found(let h, _): holder = h
        case .notFound(let searched): notReadReason = "no identity with client id \(reading.cloudIdentity ?? "?") was found (searched \(searched))"
        case .notChecked(let reason): notReadReason = "federated credentials not read: \(reason)"
        }
        let existing = evaluation?.closest?.name
        let fix = AzureFixCommands.command(holder: holder, existingName: existing,
                                           name: AzureFixCommands.suggestedName(namespace: reading.namespace, serviceAccount: reading.serviceAccount),
                                           issuer: iss, subject: sub, audience: aud)
        switch meaning {
        case .noMatchingCredential, .issuerMismatch, .subjectMismatch, .audienceMismatch:
            let field: String
            switch meaning {
            case .issuerMismatch: field = "issuer"
            case .audienceMismatch: field = "audience"
            case .subjectMismatch: field = "subject"
            default: field = ""
            }
            if let evaluation, let closest = evaluation.closest, !evaluation.mismatches.isEmpty {
                let parts = evaluation.mismatches.map { "federated credential \(closest.name) \($0.field) is \($0.expected), the token's is \($0.actual)" }
                return Diagnosis(summary: "\(code): " + parts.joined(separator: "; ") + (evaluation.hints.isEmpty ? "" : " (\(evaluation.hints.joined(separator: "; ")))"),
                                 mismatches: evaluation.mismatches, fix: fix)
            }
            if case .found(_, let creds) = lookup, creds.isEmpty {
                return Diagnosis(summary: "\(code): \(holder?.label ?? "the identity") has no federated credentials",
                                 mismatches: [Mismatch(field: field.isEmpty ? "federated credential" : field, expected: "(none configured)", actual: field == "issuer" ? iss : field == "audience" ? aud : sub)],
                                 fix: fix)
            }
            // Credentials not readable: name what the token presented, as Entra reported it.
            var mismatches: [Mismatch] = []
            let unknown = "(not known: \(notReadReason ?? "not read"))"
            if field == "issuer" || field.isEmpty { mismatches.append(Mismatch(field: "issuer", expected: unknown, actual: presented.issuer ?? iss)) }
            if field == "subject" || field.isEmpty { mismatches.append(Mismatch(field: "subject", expected: error.expectedSubject ?? unknown, actual: presented.subject ?? sub)) }
            if field == "audience" || field.isEmpty { mismatches.append(Mismatch(field: "audience", expected: unknown, actual: presented.audience ?? aud)) }
            let what = field.isEmpty ? "issuer, subject and audience together" : "\(field) '\(mismatches.first?.actual ?? "")'"
            return Diagnosis(summary: "\(code): no federated credential of client id \(reading.cloudIdentity ?? "?") has the token's \(what)"
                                + (error.expectedSubject.map { "; Entra expects subject \($0)" } ?? "")
                                + " (\(notReadReason ?? "credentials not read"))",
                             mismatches: mismatches, fix: fix)
        case .assertionOutsideValidTime:
            let w = error.timeWindow
            return Diagnosis(summary: "\(code): the token was not valid when Entra checked it (Entra's time \(w?.currentTime ?? "?"), token valid from \(w?.validFrom ?? "?") until \(w?.expiry ?? "?"))",
                             mismatches: [Mismatch(field: "time", expected: "between \(w?.validFrom ?? "?") and \(w?.expiry ?? "?")", actual: w?.currentTime ?? "?")],
                             fix: "the token has expired or is not yet valid: check the clocks of the nodes and the API server (NTP), and make the app re-read AZURE_FEDERATED_TOKEN_FILE instead of caching the token (kubelet rotates it)")
        case .issuerDiscoveryUnreachable:
            return Diagnosis(summary: "\(code): Entra could not fetch the discovery document or JWKS of issuer \(iss)" + (issuerProblem.map { ": \($0.summary)" } ?? ""),
                             mismatches: issuerProblem?.mismatches ?? [],
                             fix: issuerProblem?.fix ?? "make \(iss)/.well-known/openid-configuration and its jwks_uri publicly reachable over HTTPS")
        case .invalidAssertion:
            return Diagnosis(summary: "\(code): Entra rejected the token itself: \(error.shortDescription)" + (issuerProblem.map { " (\($0.summary))" } ?? ""),
                             mismatches: issuerProblem?.mismatches ?? [],
                             fix: issuerProblem?.fix ?? "check that the JWKS published at the issuer holds the cluster's current signing key")
        case .applicationNotFound:
            // AADSTS700016 "UnauthorizedClient_DoesNotMatchRequest": the client id is not in this
            // tenant: a wrong client id, or (as often) the right one sent to the wrong tenant.
            return Diagnosis(summary: "\(code): tenant \(tenantID) has no application or managed identity with client id \(reading.cloudIdentity ?? "?"): "
                                + "either the client id is wrong or the tenant id is (the identity lives in another tenant)",
                             mismatches: [Mismatch(field: "client id / tenant id", expected: "an identity in tenant \(tenantID)", actual: reading.cloudIdentity ?? "?")],
                             fix: "check both: az identity show -n <name> -g <rg> --query '{clientId:clientId, tenantId:tenantId}', then set the service account's "
                                + "azure.workload.identity/client-id and azure.workload.identity/tenant-id (or the webhook's default tenant) to them")
        case .blockedByConditionalAccess:
            return Diagnosis(summary: "\(code): Conditional Access blocked the token for client id \(reading.cloudIdentity ?? "?"): a policy for "
                                + "workload identities (network location or risk) applies to this service principal: \(error.shortDescription)",
                             fix: "find the policy in the sign-in logs (Entra ID → Monitoring → Sign-in logs → Service principal sign-ins, filter by the "
                                + "correlation id \(error.correlationID ?? "of this error")) and exclude this identity or allow the cluster's egress addresses")
        case .invalidClientSecret:
            return notIssued(error, scope: "")
        case .tenantNotFound:
            return Diagnosis(summary: "\(code): tenant \(tenantID) does not exist",
                             mismatches: [Mismatch(field: "tenant", expected: "an existing tenant id", actual: tenantID)],
                             fix: "set azure.workload.identity/tenant-id (or the webhook's tenant) to your tenant id (az account show --query tenantId)")
        case .invalidScope:
            return notIssued(error, scope: "")
        }
    }

    static func notIssued(_ error: EntraError, scope: String) -> Diagnosis {
        let code = error.code ?? error.error
        if error.meaning == .invalidClientSecret {
            return Diagnosis(summary: "\(code): a client secret was presented and is wrong: something authenticates with a static secret "
                                + "(AZURE_CLIENT_SECRET) instead of the federated token",
                             fix: "remove AZURE_CLIENT_SECRET from the pod (DefaultAzureCredential tries it before workload identity), "
                                + "or, for widash's own operator credential, renew the secret")
        }
        if error.meaning == .invalidScope {
            return Diagnosis(summary: "\(code): the scope \(scope) is not valid: \(error.shortDescription)",
                             fix: "use the resource's .default scope, e.g. https://vault.azure.net/.default (--scope)")
        }
        return Diagnosis(summary: "\(code): Entra did not issue a token: \(error.shortDescription)",
                         fix: error.errorURI.map { "see \($0)" })
    }

    static func resourceDenied(status: Int, code: String?, message: String?, spec: HTTPRequestSpec, clientID: String) -> Diagnosis {
        let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
        guard status == 401 || status == 403 else {
            return Diagnosis(summary: "\(spec.url) answered HTTP \(status)\(detail.isEmpty ? "" : " (\(detail))")",
                             fix: status == 404 ? "check the resource URL (--resource)" : nil)
        }
        let role: String
        switch spec.kind {
        case .keyVault: role = "az role assignment create --assignee \(clientID) --role \"Key Vault Secrets User\" --scope <key vault resource id>"
        case .blob: role = "az role assignment create --assignee \(clientID) --role \"Storage Blob Data Reader\" --scope <storage account resource id>"
        case .cosmos: role = "az cosmosdb sql role assignment create --account-name <account> --resource-group <rg> --role-definition-name \"Cosmos DB Built-in Data Reader\" --principal-id <identity principal id> --scope /"
        case .serviceBus: role = "az role assignment create --assignee \(clientID) --role \"Azure Service Bus Data Sender\" --scope <namespace or queue resource id>"
        case .arm: role = "az role assignment create --assignee \(clientID) --role Reader --scope /subscriptions/<subscription id>"
        case .other: role = "grant the identity (client id \(clientID)) a data-plane role on the resource"
        }
        return Diagnosis(summary: "the token was issued but \(spec.url) refused it with HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)"): the identity has no role that allows this call",
                         mismatches: [Mismatch(field: "authorization", expected: "a role assignment for client id \(clientID)", actual: "HTTP \(status)")],
                         fix: role)
    }
}

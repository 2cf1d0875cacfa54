import Foundation
import WidashCore
import WidashCloud
import WidashHTTP

/// Steps 2–5 for Azure Workload Identity.
struct AzureFlow: Sendable {
    var context: TraceContext
    var runner: StepRunner
    var minted: MintedToken

    var reading: PodReading { context.reading }

    /// The step 5 target and the scope of the token step 2 asks for.
    var target: HTTPRequestSpec? {
        let url = context.options.resourceURL ?? ResourceProposal.azure(environment: reading.environment)
            ?? (context.services.armBaseURL.trimmingSlashesSuffix + AzureResourceRequest.armSubscriptionsPath)
        return AzureResourceRequest.build(url: url, accessToken: "", now: context.options.now())
    }

    func run() async {
        let clientID = reading.cloudIdentity ?? ""
        let tenantID = reading.tenantID ?? ""
        let authority = EntraAuthority.host(podEnvironment: reading.environment, environment: context.services.environment)
        let scope = context.options.scope ?? target?.scope ?? "https://management.azure.com/.default"
        let client = EntraTokenClient(transport: context.services.transport, authorityHost: authority, timeouts: context.timeouts)
        let token = minted.token

        // Step 2: the request azure-identity would send.
        let sent = await runner.run(2, endpoint: RequestLine.endpoint(authority)) { () async throws -> StepOutcome<EntraExchange> in
            var e = Evidence()
            e["request"] = "POST \(EntraAuthority.tokenURL(host: authority, tenantID: tenantID))"
            e["form"] = "client_assertion=<test token, redacted>&client_assertion_type=\(EntraTokenClient.clientAssertionType)&client_id=\(clientID)&grant_type=client_credentials&scope=\(scope)"
            let exchange = try await client.exchange(tenantID: tenantID, clientID: clientID, assertion: token, scope: scope)
            e["status"] = String(exchange.status)
            if case .failure(let error) = exchange.result {
                e["errorCode"] = error.code ?? error.error
                e["error"] = error.error
                if let t = error.traceID { e["traceId"] = t }
                if let c = error.correlationID { e["correlationId"] = c }
            }
            return .passed(e, exchange)
        }
        guard let exchange = sent.value, sent.status == .passed else { return runner.skipRest(from: 3, reason: "step 2 failed") }

        // Step 3: pre-flight comparison and Entra's verdict.
        let verdict = await runner.run(3, endpoint: "the issuer, Graph or ARM") { () async throws -> StepOutcome<Bool> in
            try await trustStep(exchange: exchange, clientID: clientID, tenantID: tenantID)
        }
        guard verdict.status == .passed else { return runner.skipRest(from: 4, reason: "step 3 failed") }

        // Step 4: the token Entra issued.
        let issued = await runner.run(4, endpoint: nil) { () async throws -> StepOutcome<EntraAccessToken> in
            var e = Evidence([("scope", scope)])
            switch exchange.result {
            case .success(let t):
                e["tokenType"] = t.tokenType
                e["expiresIn"] = "\(t.expiresIn) s"
                e["expiresOn"] = TokenClock.timestamp(t.expiresOn)
                e["accessToken"] = TokenRedaction.redact(t.accessToken)
                if let jwt = try? JWT.decode(t.accessToken) {
                    e["accessTokenAud"] = jwt.aud.joined(separator: ",")
                }
                return .passed(e, t)
            case .failure(let error):
                e["errorCode"] = error.code ?? error.error
                return .failed(e, AzureDiagnosis.notIssued(error, scope: scope))
            }
        }
        guard let accessToken = issued.value, issued.status == .passed else { return runner.skipRest(from: 5, reason: "step 4 failed") }

        guard runner.mayCallResource(context.options) else { return }
        // Step 5: a call to the resource with the token.
        guard let spec = target.flatMap({ AzureResourceRequest.build(url: $0.url, accessToken: accessToken.accessToken, now: context.options.now()) }) else {
            return runner.skip(5, reason: "no resource to call: pass --resource URL")
        }
        let transport = context.services.transport
        let timeouts = context.timeouts
        _ = await runner.run(5, endpoint: RequestLine.endpoint(spec.url)) { () async throws -> StepOutcome<Bool> in
            var e = Evidence([("request", "\(spec.method) \(spec.url)"), ("resource", spec.kind.rawValue)])
            if context.options.resourceURL == nil { e["chosenBy"] = ResourceProposal.azure(environment: reading.environment) == nil ? "default (ARM subscriptions)" : "proposed from the pod's env" }
            if spec.kind == .serviceBus { e["note"] = "sends one test message (\"widash trace probe\") to the queue" }
            let request = HTTPRequest(method: spec.method, url: spec.url, headers: spec.headers, body: spec.body, timeouts: timeouts)
            let response = try await WidashCloudSend.send(transport, request)
            e["status"] = String(response.status)
            if (200..<300).contains(response.status) { return .passed(e, true) }
            let (code, message) = ServiceErrorBody.parse(response)
            if let code { e["errorCode"] = code }
            if let message { e["error"] = message }
            return .failed(e, AzureDiagnosis.resourceDenied(status: response.status, code: code, message: message, spec: spec, clientID: clientID))
        }
    }

    func trustStep(exchange: EntraExchange, clientID: String, tenantID: String) async throws -> StepOutcome<Bool> {
        let jwt = minted.jwt
        let issuer = await IssuerCheck.run(cluster: context.cluster, transport: context.services.transport, jwt: jwt, timeouts: context.preflightTimeouts)
        var e = issuer.evidence
        // The audit's reading of the identity (read once per client id, shared with the audit).
        let lookup: FederatedCredentialLookup
        var roles: Result<[String], TrustReadProblem>?
        switch await context.services.trustReader.azureIdentity(clientID: clientID) {
        case .found(let facts):
            lookup = .found(holder: facts.holder, credentials: facts.credentials)
            roles = facts.roles
        case .notFound(let searched): lookup = .notFound(searched: searched)
        case .unreadable(let problem): lookup = .notChecked(reason: problem.reason)
        }
        switch roles {
        case .success(let list)?: e["roleAssignments"] = list.isEmpty ? "(none: resource calls will be refused)" : list.joined(separator: " | ")
        case .failure(let p)?: e["roleAssignments"] = "not read: \(p.reason)"
        case nil: break
        }
        var evaluation: FederatedCredentialEvaluation?
        switch lookup {
        case .found(let holder, let creds):
            e["identity"] = holder.label
            e["federatedCredentials"] = creds.isEmpty ? "(none)" : creds.map { "\($0.name): issuer \($0.issuer), subject \($0.subject), audiences \($0.audiences.joined(separator: ","))" }.joined(separator: " | ")
            if let jwt, let iss = jwt.iss, let sub = jwt.sub {
                let ev = FederatedCredentialEvaluation.evaluate(creds, issuer: iss, subject: sub, audiences: jwt.aud)
                evaluation = ev
                e["preflight"] = ev.match.map { "federated credential \($0.name) matches the token" }
                    ?? "no federated credential matches the token (\(ev.mismatches.map(\.field).joined(separator: ", ")) differ)"
            }
        case .notFound(let searched):
            e["federatedCredentials"] = "no application or managed identity with client id \(clientID) (searched \(searched))"
        case .notChecked(let reason):
            e["federatedCredentials"] = "not checked: \(reason)"
        }
        switch exchange.result {
        case .success:
            e["verdict"] = "Entra accepted the token"
            return .passed(e, true)
        case .failure(let error):
            e["errorCode"] = error.code ?? error.error
            e["verdict"] = error.shortDescription
            if let t = error.traceID { e["traceId"] = t }
            if let c = error.correlationID { e["correlationId"] = c }
            guard let meaning = error.meaning, meaning.isTrustFailure || meaning == .applicationNotFound || meaning == .tenantNotFound else {
                e["verdict"] = "no trust error; Entra answered \(error.code ?? error.error) (see step 4)"
                return .passed(e, false)
            }
            return .failed(e, AzureDiagnosis.trust(error, meaning: meaning, jwt: jwt, lookup: lookup, evaluation: evaluation,
                                                   issuerProblem: issuer.problem, reading: reading, tenantID: tenantID))
        }
    }
}

/// `send` with transport errors typed as `CloudError.unreachable` (the WidashCloud helper is internal).
enum WidashCloudSend {
    static func send(_ transport: any HTTPTransport, _ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch let error as HTTPError {
            throw CloudError.unreachable(endpoint: RequestLine.endpoint(request.url), error)
        }
    }
}

/// Error bodies of resource APIs: JSON `{"error":{"code","message"}}` (ARM, Key Vault),
/// JSON `{"code","message"}` (Cosmos DB), XML `<Error><Code/><Message/>|<Detail/>` (Storage, Service Bus).
enum ServiceErrorBody {
    static func parse(_ response: HTTPResponse) -> (code: String?, message: String?) {
        if let o = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] {
            if let inner = o["error"] as? [String: Any] {
                // Google: {"error": {"code": 403, "message", "status": "PERMISSION_DENIED"}}.
                return ((inner["code"] as? String) ?? (inner["status"] as? String), inner["message"] as? String)
            }
            if let code = o["code"] as? String { return (code, o["message"] as? String ?? o["Message"] as? String) }
            if let code = o["Code"] as? String { return (code, o["Message"] as? String) }
        }
        if let tree = XMLTree.parse(response.body) {
            let error = tree.name == "Error" ? tree : tree.find("Error")
            if let error { return (error.text("Code"), error.text("Message") ?? error.text("Detail")) }
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (nil, text.isEmpty ? response.header("www-authenticate") : text)
    }
}

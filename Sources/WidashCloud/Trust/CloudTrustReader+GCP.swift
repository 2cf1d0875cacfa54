import Foundation

extension CloudTrustReader {
    /// The IAM policy of a Google service account (`getIamPolicy`), once per account; nil when IAM
    /// has no such account (404).
    public func serviceAccountPolicy(email: String) async -> Result<GCPIAMPolicy?, TrustReadProblem> {
        let google = self.google
        let token = await operatorTokens.value("google") {
            switch await google.token() {
            case .token(let t): return .success(t.accessToken)
            case .unavailable(let reason): return .failure(TrustReadProblem(reason: "no Google operator credentials: \(reason)"))
            }
        }
        guard case .success(let bearer) = token else {
            if case .failure(let p) = token { return .failure(p) }
            return .failure(TrustReadProblem(reason: "no Google operator token"))
        }
        let client = GCPIAMClient(transport: transport, baseURL: endpoints.gcpIAM, timeouts: timeouts)
        return await policies.value(email.lowercased()) {
            do {
                return .success(try await client.serviceAccountPolicy(email: email, token: bearer))
            } catch CloudError.gcp(let e) where e.httpStatus == 404 {
                return .success(nil)
            } catch {
                return .failure(TrustReadProblem.from(error, what: "the IAM policy of \(email)", permission: TrustReadProblem.Permission.gcpGetIamPolicy))
            }
        }
    }
}

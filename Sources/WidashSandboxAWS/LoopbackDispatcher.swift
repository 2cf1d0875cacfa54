import Foundation
import WidashSandboxKit

/// Serves AWS requests sent to the sandbox's own address (`AWS_ENDPOINT_URL=https://127.0.0.1:PORT`),
/// where the Host header cannot say which service is meant. The server asks it only for loopback
/// requests that are not Kubernetes paths. It picks the service as AWS itself would from the request:
/// the SigV4 credential scope's service, else the query `Action` (STS vs IAM), else the REST path.
struct LoopbackDispatcher: SandboxService {
    let sts: STSService
    let iam: IAMService
    let eks: EKSService
    let eksAuth: EKSAuthService

    static let loopbackNames: Set<String> = ["127.0.0.1", "localhost", "::1"]
    static let iamActions: Set<String> = ["GetRole", "ListOpenIDConnectProviders", "GetOpenIDConnectProvider"]

    func answers(host: String) -> Bool { Self.loopbackNames.contains(host) }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        guard let service = target(request) else {
            return .json(404, [
                "error": "no_emulated_service",
                "message": "the widash sandbox found no Kubernetes, AWS or Google operation for \(request.method) \(request.path) on \(request.host); check the URL",
            ])
        }
        return await service.handle(request)
    }

    enum Kind { case sts, iam, eks, eksAuth }

    func target(_ request: SandboxRequest) -> (any SandboxService)? {
        switch Self.kind(of: request) {
        case .sts?: return sts
        case .iam?: return iam
        case .eks?: return eks
        case .eksAuth?: return eksAuth
        case nil: return nil
        }
    }

    static func kind(of request: SandboxRequest) -> Kind? {
        if let header = request.headers["authorization"], case .success(let auth) = SigV4.Authorization.parse(header) {
            switch auth.service {
            case "sts": return .sts
            case "iam": return .iam
            case "eks": return .eks
            case "eks-auth": return .eksAuth
            default: break
            }
        }
        if let action = AWSWire.queryParameters(request)["Action"] {
            return iamActions.contains(action) ? .iam : .sts
        }
        let path = RestJSON.segments(request.path)
        if path.first == "clusters" { return path.last == "assume-role-for-pod-identity" ? .eksAuth : .eks }
        return nil
    }
}

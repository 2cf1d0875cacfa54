import Foundation
import WidashSandboxKit

/// The checks STS makes for `AssumeRoleWithWebIdentity`, in AWS's order: a JWT, an IAM OIDC
/// provider for its issuer, its audience among the provider's client ids, a valid signature from
/// the issuer's JWKS, not expired, and a role whose trust policy allows the call.
struct WebIdentityExchange: Sendable {
    struct Grant: Sendable {
        var claims: WebIdentityClaims
        var provider: AWSOIDCProvider
        var audience: String
        var role: AWSRole
    }

    let catalog: AWSCatalog
    let keys: IssuerKeyVerifier
    let now: @Sendable () -> Date

    func verify(token: String, roleArn: String) async -> Result<Grant, AWSError> {
        guard let claims = WebIdentityClaims.decodeUnverified(token) else {
            return .failure(.invalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"))
        }
        guard let provider = catalog.provider(issuer: claims.issuer) else {
            return .failure(.invalidIdentityToken("No OpenIDConnect provider found in your account for \(claims.issuer)"))
        }
        // The issuer's certificate is from a private CA, so IAM holds it to the provider's
        // thumbprints (for issuers whose CA AWS trusts, thumbprints are no longer used: IAM
        // GetOpenIDConnectProvider's ThumbprintList documentation).
        if let served = await keys.servedChainThumbprint(issuer: claims.issuer),
           !provider.thumbprints.contains(where: { $0.lowercased() == served }) {
            return .failure(.invalidIdentityToken("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"))
        }
        guard let audience = claims.audiences.first(where: provider.clientIDs.contains) else {
            return .failure(.invalidIdentityToken("Incorrect token audience"))
        }
        switch await keys.verifySignature(of: token, issuer: claims.issuer) {
        case .success: break
        case .failure(.badSignature):
            return .failure(.invalidIdentityToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."))
        case .failure:
            return .failure(.invalidIdentityToken("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"))
        }
        let clock = now()
        if let exp = claims.expiresAt, exp <= clock {
            return .failure(AWSError(code: "ExpiredTokenException",
                                     message: "Token expired: current date/time \(Int(clock.timeIntervalSince1970)) must be before the expiration date/time \(Int(exp.timeIntervalSince1970))",
                                     status: 400))
        }
        if let nbf = claims.notBefore, nbf > clock.addingTimeInterval(300) {
            return .failure(.invalidIdentityToken("Token is not yet valid: its nbf is in the future"))
        }
        // AWS answers AccessDenied for a missing role too, so a caller cannot probe role names.
        guard let role = catalog.role(arn: roleArn), let policy = try? TrustPolicy(json: role.trustPolicy) else {
            return .failure(.accessDeniedWebIdentity())
        }
        let request = TrustRequest(principal: .federated(provider.arn), action: "sts:AssumeRoleWithWebIdentity",
                                   conditionKeys: ["\(provider.url):sub": [claims.subject],
                                                   "\(provider.url):aud": [audience],
                                                   "\(provider.url):oaud": claims.audiences])
        guard policy.evaluate(request).isAllowed else { return .failure(.accessDeniedWebIdentity()) }
        return .success(Grant(claims: claims, provider: provider, audience: audience, role: role))
    }
}

import Foundation
import WidashCloud

/// Token-endpoint bodies: Entra's error JSON (with the AADSTS description reader), Entra's token
/// response, and Google's error forms. Invariant: an access token's description never shows it.
enum EntraErrorFuzz {
    static func run(_ data: Data) {
        if let error = EntraError.parse(status: 400, body: data) { readAll(error) }
        if let token = EntraAccessToken.parse(data, receivedAt: Date(timeIntervalSince1970: 1_700_000_000)) {
            let shown = token.description
            if token.accessToken.count >= 24, !token.tokenType.contains(token.accessToken) {
                fuzzExpect(!shown.contains(token.accessToken), "EntraAccessToken.description shows the token: \(shown)")
            }
        }
        if let error = GCPServiceError.parse(service: "sts", status: 400, body: data) { _ = error.description }
    }

    static func readAll(_ error: EntraError) {
        _ = (error.code, error.numericCode, error.presented, error.expectedSubject, error.timeWindow)
        _ = (error.meaning?.isTrustFailure, error.shortDescription, error.description)
    }
}

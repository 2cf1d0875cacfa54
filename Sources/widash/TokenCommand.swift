import ArgumentParser
import Foundation
import WidashCore
import WidashService

/// `widash token NAMESPACE/SERVICEACCOUNT`: a TokenRequest, decoded and verified.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Request a test token for a service account (TokenRequest), decode and verify it.",
        discussion: """
            The raw token is printed only with --show-token. Needs RBAC "create serviceaccounts/token".
            With --pod P --pod-token: the pod's own projected token file instead, read with pods/exec \
            (RBAC get/create pods/exec; refused with --readonly), judged by the kubelet's refresh rule.
            Exit codes: 0 ok, 2 usage or configuration error (incl. --readonly), 3 a remote service failed.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: "The service account, as NAMESPACE/SERVICEACCOUNT.")
    var serviceAccount: String

    @Option(help: "Audience (default: the pod's projected token audience with --pod, else the API server's).")
    var audience: String?

    @Option(help: "Lifetime, e.g. 10m, 1h, 3600s (at least 10m).")
    var duration: String?

    @Option(help: "Bind the token to this pod (in the same namespace).")
    var pod: String?

    @Flag(help: "With --pod: read the pod's own projected token file (runs `cat` in the pod: needs RBAC get/create pods/exec) instead of requesting a token.")
    var podToken = false

    @Flag(help: "Print the raw token (it is a credential: handle with care).")
    var showToken = false

    @Option(name: [.short, .long], help: "Output: text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        do {
            try bootstrapLogging(cluster)
            guard output == .text || output == .json else { throw ValidationError("-o must be text or json") }
            let (namespace, name) = try splitQualified(serviceAccount, what: "serviceaccount")
            let seconds = try duration.map(DurationText.seconds)
            let factory = try SessionFactory.forCommand(cluster)
            if podToken {
                guard let pod else { throw ValidationError("--pod-token needs --pod POD: the pod whose token file to read") }
                guard audience == nil, duration == nil else { throw ValidationError("--audience and --duration do not apply to the pod's own token") }
                if factory.readOnly { throw SessionError.podTokenReadOnly }  // before anything starts
                let read = try await factory.start().session.podToken(namespace: namespace, pod: pod)
                printOut(output == .json ? try json(read) : text(read))
                return
            }
            let started = try await factory.start()
            let token = try await started.session.testToken(namespace: namespace, serviceAccount: name, audience: audience,
                                                            expirationSeconds: seconds, pod: pod)
            printOut(output == .json ? try json(token) : text(token))
        } catch {
            throw fail(error)
        }
    }

    private func signatureLine(_ token: TestToken) -> String {
        if let v = token.verification {
            return v.isValid ? "verified against the issuer's JWKS (kid \(token.decoded.kid ?? "-"))"
                : "INVALID: " + v.failures.map(\.message).joined(separator: "; ")
        }
        return token.verificationProblem ?? "not checked"
    }

    private func text(_ token: TestToken) -> String {
        var lines = ["Token for \(token.decoded.sub ?? serviceAccount)"]
        lines.append("header:")
        lines += ClaimLines.lines(token.decoded.header).map { "  " + $0 }
        lines.append("claims:")
        lines += ClaimLines.lines(token.decoded.claims).map { "  " + $0 }
        lines.append("expires: \(TokenClock.timestamp(token.issued.expirationTimestamp)) (\(TokenClock.describeExpiry(token.issued.expirationTimestamp, now: Date())))")
        lines.append("signature: \(signatureLine(token))")
        lines.append(showToken ? "token: \(token.issued.token)" : "token: \(TokenRedaction.redact(token.issued.token)) (use --show-token to print it)")
        return lines.joined(separator: "\n")
    }

    private func text(_ read: PodToken) -> String {
        let file = read.file
        var lines = ["Token file \(file.path) of pod \(serviceAccount.split(separator: "/").first ?? "")/\(pod ?? "")"
                     + (file.container.map { " (container \($0))" } ?? "") + ", read with pods/exec"]
        if let decoded = read.decoded {
            lines.append("header:")
            lines += ClaimLines.lines(decoded.header).map { "  " + $0 }
            lines.append("claims:")
            lines += ClaimLines.lines(decoded.claims).map { "  " + $0 }
        }
        if let issued = file.issuedAt { lines.append("issued: \(TokenClock.timestamp(issued))") }
        if let due = file.refreshDueAt { lines.append("refresh due: \(TokenClock.timestamp(due)) (80 % of its lifetime or 24 h)") }
        if let expires = file.expiresAt { lines.append("expires: \(TokenClock.timestamp(expires)) (\(TokenClock.describeExpiry(expires, now: Date())))") }
        lines.append("state: \(file.state.rawValue): \(file.summary)")
        lines.append("signature: " + (read.verification.map { $0.isValid ? "verified against the issuer's JWKS" : "INVALID: " + $0.failures.map(\.message).joined(separator: "; ") }
                                      ?? read.verificationProblem ?? "not checked"))
        lines.append(showToken ? "token: \(read.token)" : "token: \(TokenRedaction.redact(read.token)) (use --show-token to print it)")
        return lines.joined(separator: "\n")
    }

    private func json(_ read: PodToken) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var object = try JSONSerialization.jsonObject(with: try encoder.encode(read.file)) as? [String: Any] ?? [:]
        if let decoded = read.decoded {
            object["header"] = try JSONSerialization.jsonObject(with: Data(decoded.header.compactText.utf8))
            object["claims"] = try JSONSerialization.jsonObject(with: Data(decoded.claims.compactText.utf8))
        }
        object["signatureValid"] = read.verification?.isValid ?? false
        object["token"] = showToken ? read.token : TokenRedaction.redact(read.token)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private func json(_ token: TestToken) throws -> String {
        var object: [String: Any] = [
            "header": try JSONSerialization.jsonObject(with: Data(token.decoded.header.compactText.utf8)),
            "claims": try JSONSerialization.jsonObject(with: Data(token.decoded.claims.compactText.utf8)),
            "expirationTimestamp": TokenClock.timestamp(token.issued.expirationTimestamp),
            "signature": signatureLine(token),
            "signatureValid": token.verification?.isValid ?? false,
        ]
        object["token"] = showToken ? token.issued.token : TokenRedaction.redact(token.issued.token)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// Durations as kubectl writes them: 90s, 10m, 1h, 1h30m.
enum DurationText {
    static func seconds(_ text: String) throws -> Int {
        var total = 0, number = 0, sawDigit = false, sawUnit = false
        for ch in text {
            if let d = ch.wholeNumberValue {
                number = number * 10 + d
                sawDigit = true
                guard number < 10_000_000 else { throw ValidationError("--duration '\(text)' is too long") }
            } else {
                let unit: Int
                switch ch {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                default: throw ValidationError("--duration '\(text)': use a number with s, m or h, e.g. 1h or 90m")
                }
                guard sawDigit else { throw ValidationError("--duration '\(text)': a number must come before '\(ch)'") }
                total += number * unit
                number = 0
                sawDigit = false
                sawUnit = true
            }
        }
        if sawDigit { total += number }  // bare number = seconds
        guard sawUnit || sawDigit || total > 0 else { throw ValidationError("--duration '\(text)' is empty") }
        guard total >= 600 else { throw ValidationError("--duration must be at least 10m (TokenRequest's minimum)") }
        return total
    }
}

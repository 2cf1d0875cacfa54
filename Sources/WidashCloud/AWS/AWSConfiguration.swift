import Foundation

/// Operator credentials and settings from the standard AWS chain: environment variables, then
/// `~/.aws/credentials` and `~/.aws/config` for `AWS_PROFILE` (default `default`).
public struct AWSConfiguration: Sendable {
    public var environment: [String: String]
    public var homeDirectory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: String = FileManager.default.homeDirectoryForCurrentUser.path) {
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    public var profileName: String {
        nonEmpty(environment["AWS_PROFILE"]) ?? nonEmpty(environment["AWS_DEFAULT_PROFILE"]) ?? "default"
    }

    /// Credentials, or why there are none (then the AWS side is "not checked").
    public func credentials() -> Result<AWSCredentials, AWSConfigurationIssue> {
        if let id = nonEmpty(environment["AWS_ACCESS_KEY_ID"]), let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]) {
            return .success(AWSCredentials(accessKeyID: id, secretAccessKey: secret,
                                           sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]) ?? nonEmpty(environment["AWS_SECURITY_TOKEN"]),
                                           source: "environment (AWS_ACCESS_KEY_ID)"))
        }
        let profile = profileName
        let credentialsPath = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? homeDirectory + "/.aws/credentials"
        let configPath = nonEmpty(environment["AWS_CONFIG_FILE"]) ?? homeDirectory + "/.aws/config"
        let fromCredentials = INIFile.load(credentialsPath)?.sections[profile]
        let fromConfig = INIFile.load(configPath)?.sections[profile == "default" ? "default" : "profile \(profile)"]
        for (section, path) in [(fromCredentials, credentialsPath), (fromConfig, configPath)] {
            if let s = section, let id = nonEmpty(s["aws_access_key_id"]), let secret = nonEmpty(s["aws_secret_access_key"]) {
                return .success(AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: nonEmpty(s["aws_session_token"]),
                                               source: "profile \(profile) (\(path))"))
            }
        }
        let merged = (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { $1 }
        if merged["role_arn"] != nil || merged["sso_session"] != nil || merged["sso_start_url"] != nil || merged["credential_process"] != nil {
            return .failure(.unsupportedProfile(profile: profile))
        }
        return .failure(.none(profile: profile))
    }

    /// Region: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`.
    public func region() -> String? {
        if let r = nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) { return r }
        let configPath = nonEmpty(environment["AWS_CONFIG_FILE"]) ?? homeDirectory + "/.aws/config"
        let profile = profileName
        return nonEmpty(INIFile.load(configPath)?.sections[profile == "default" ? "default" : "profile \(profile)"]?["region"])
    }
}

/// Why no AWS credentials were found.
public enum AWSConfigurationIssue: Error, Sendable, Hashable, CustomStringConvertible {
    case none(profile: String)
    case unsupportedProfile(profile: String)

    public var description: String {
        switch self {
        case .none(let p):
            return "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or add profile \(p) to ~/.aws/credentials"
        case .unsupportedProfile(let p):
            return "profile \(p) uses role_arn, SSO or credential_process, which widash does not resolve: run `eval \"$(aws configure export-credentials --profile \(p) --format env)\"` first"
        }
    }
}

func nonEmpty(_ s: String?) -> String? {
    guard let t = s?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
    return t
}

/// The INI dialect of the AWS shared files: `[section]`, `key = value`, `#`/`;` comments.
/// Indented lines (nested settings such as `s3 =` blocks) are skipped.
struct INIFile {
    var sections: [String: [String: String]]

    static func load(_ path: String) -> INIFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) -> INIFile {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                if let c = current, sections[c] == nil { sections[c] = [:] }
                continue
            }
            guard let section = current, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return INIFile(sections: sections)
    }
}

import Foundation
import WidashHTTP

extension KubeConfigLoader {
    /// Picks the context (`--context`, else current-context) and resolves its cluster, user, TLS
    /// material and auth, validating every certificate and key it names.
    public func resolve(_ merged: MergedKubeConfig, options: KubeConfigOptions = KubeConfigOptions()) throws -> ResolvedKubeConfig {
        let config = merged.config
        let contexts = config.contexts ?? []
        let contextNames = contexts.map(\.name).sorted()
        let contextName: String
        if let requested = options.context, !requested.isEmpty {
            contextName = requested
        } else if let current = config.currentContext, !current.isEmpty {
            contextName = current
        } else {
            throw KubeConfigError.noCurrentContext(available: contextNames)
        }
        guard let context = contexts.first(where: { $0.name == contextName })?.context else {
            throw KubeConfigError.unknownContext(name: contextName, available: contextNames)
        }
        guard let cluster = config.clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw KubeConfigError.unknownCluster(context: contextName, cluster: context.cluster)
        }
        let userName = context.user ?? ""
        var user = KubeUser()
        if !userName.isEmpty {
            guard let found = config.users?.first(where: { $0.name == userName })?.user else {
                throw KubeConfigError.unknownUser(context: contextName, user: userName)
            }
            user = found
        }

        let server = try Self.validatedServer(cluster.server, cluster: context.cluster)
        var tls = TLSOptions(insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false,
                             serverName: cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 })
        let clusterOwner = "cluster \"\(context.cluster)\""
        if let caPEM = try material(data: cluster.certificateAuthorityData, dataField: "certificate-authority-data",
                                    file: cluster.certificateAuthority, fileField: "certificate-authority",
                                    owner: clusterOwner) {
            let field = cluster.certificateAuthorityData?.isEmpty == false ? "certificate-authority-data" : "certificate-authority"
            try CertificateCheck.certificates(caPEM, field: field, owner: clusterOwner)
            tls.caPEM = caPEM
        }
        try addClientCertificate(user, userName: userName, to: &tls)

        let namespace = [options.namespace, context.namespace].compactMap { $0 }.first { !$0.isEmpty } ?? "default"
        return ResolvedKubeConfig(
            contextName: contextName, clusterName: context.cluster, userName: userName, server: server,
            tls: tls, proxyURL: cluster.proxyURL.flatMap { $0.isEmpty ? nil : $0 }, namespace: namespace,
            auth: try Self.auth(of: user, userName: userName), contextNames: contextNames,
            sourceFiles: merged.sources, isInCluster: false)
    }

    /// The header-producing auth method. Precedence as in client-go: an explicit token is used as is,
    /// then tokenFile, then an exec plugin; basic auth last. Auth providers are refused.
    static func auth(of user: KubeUser, userName: String) throws -> KubeAuth {
        if let provider = user.authProvider {
            throw KubeConfigError.unknownAuthProvider(user: userName, provider: provider.name)
        }
        if let token = user.token, !token.isEmpty { return .token(token) }
        if let path = user.tokenFile, !path.isEmpty { return .tokenFile(path: path) }
        if let exec = user.exec {
            let version = exec.apiVersion ?? ""
            guard ExecCredentialAPI.supported.contains(version) else {
                throw KubeConfigError.execPluginUnsupportedAPIVersion(command: exec.command,
                                                                      apiVersion: version.isEmpty ? "(none)" : version)
            }
            return .exec(exec)
        }
        if let username = user.username, !username.isEmpty {
            return .basic(username: username, password: user.password ?? "")
        }
        return .none
    }

    static func validatedServer(_ server: String?, cluster: String) throws -> String {
        guard var server = server?.trimmingCharacters(in: .whitespaces), !server.isEmpty else {
            throw KubeConfigError.missingServer(cluster: cluster)
        }
        guard let url = URLComponents(string: server), let scheme = url.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty else {
            throw KubeConfigError.invalidServer(cluster: cluster, server: server)
        }
        while server.hasSuffix("/") { server.removeLast() }
        return server
    }

    /// Adds the user's client certificate and key to `tls` after checking they are a matching pair.
    func addClientCertificate(_ user: KubeUser, userName: String, to tls: inout TLSOptions) throws {
        let owner = "user \"\(userName)\""
        let certificate = try material(data: user.clientCertificateData, dataField: "client-certificate-data",
                                       file: user.clientCertificate, fileField: "client-certificate", owner: owner)
        let key = try material(data: user.clientKeyData, dataField: "client-key-data",
                               file: user.clientKey, fileField: "client-key", owner: owner)
        switch (certificate, key) {
        case (nil, nil):
            return
        case (.some, nil):
            throw KubeConfigError.incompleteClientCertificate(user: userName, missing: "client key")
        case (nil, .some):
            throw KubeConfigError.incompleteClientCertificate(user: userName, missing: "client certificate")
        case (.some(let certificate), .some(let key)):
            try CertificateCheck.clientPair(
                certificatePEM: certificate, keyPEM: key,
                certificateField: user.clientCertificateData?.isEmpty == false ? "client-certificate-data" : "client-certificate",
                keyField: user.clientKeyData?.isEmpty == false ? "client-key-data" : "client-key", user: userName)
            tls.clientCertificatePEM = certificate
            tls.clientKeyPEM = key
        }
    }

    /// Inline base64 data (which wins, as in client-go) or the contents of a referenced file.
    func material(data: String?, dataField: String, file: String?, fileField: String, owner: String) throws -> Data? {
        if let data, !data.isEmpty {
            let compact = data.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact), !decoded.isEmpty else {
                throw KubeConfigError.badBase64(field: dataField, owner: owner)
            }
            return decoded
        }
        if let file, !file.isEmpty {
            do {
                return try environment.fileSystem.read(file)
            } catch {
                throw KubeConfigError.referencedFileUnreadable(field: fileField, owner: owner, path: file,
                                                               reason: String(describing: error))
            }
        }
        return nil
    }
}

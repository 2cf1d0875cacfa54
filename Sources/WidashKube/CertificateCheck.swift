import Foundation
import SwiftASN1
import X509

/// Validates PEM material from a kubeconfig before it reaches the TLS stack, so that a broken file
/// gives a precise one-line error instead of an opaque handshake failure.
enum CertificateCheck {
    /// Checks that `pem` holds one or more PEM certificates (a CA bundle or a client certificate).
    @discardableResult
    static func certificates(_ pem: Data, field: String, owner: String) throws -> [Certificate] {
        guard let text = String(data: pem, encoding: .utf8) else {
            throw KubeConfigError.notACertificate(field: field, owner: owner, detail: "not text")
        }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw KubeConfigError.notACertificate(field: field, owner: owner, detail: "no PEM block found")
        }
        guard !documents.isEmpty else {
            throw KubeConfigError.notACertificate(field: field, owner: owner, detail: "no PEM block found")
        }
        return try documents.map { document in
            guard document.discriminator == "CERTIFICATE" else {
                throw KubeConfigError.notACertificate(field: field, owner: owner,
                                                      detail: "found a \"\(document.discriminator)\" block")
            }
            do {
                return try Certificate(pemDocument: document)
            } catch {
                throw KubeConfigError.notACertificate(field: field, owner: owner, detail: "the DER inside does not parse as X.509")
            }
        }
    }

    /// Checks that `keyPEM` is a private key whose public half is the first certificate's public key.
    static func clientPair(certificatePEM: Data, keyPEM: Data, certificateField: String, keyField: String,
                           user: String) throws {
        let owner = "user \"\(user)\""
        let certificates = try certificates(certificatePEM, field: certificateField, owner: owner)
        guard let leaf = certificates.first else {
            throw KubeConfigError.notACertificate(field: certificateField, owner: owner, detail: "no certificate")
        }
        guard let keyText = String(data: keyPEM, encoding: .utf8) else {
            throw KubeConfigError.badPrivateKey(field: keyField, owner: owner, detail: "not text")
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            let detail = keyText.contains("-----BEGIN") ? "unsupported or corrupt key" : "no PEM block found"
            throw KubeConfigError.badPrivateKey(field: keyField, owner: owner, detail: detail)
        }
        guard key.publicKey == leaf.publicKey else {
            throw KubeConfigError.keyDoesNotMatchCertificate(user: user)
        }
    }
}

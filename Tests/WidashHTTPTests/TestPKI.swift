import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate and its private key, both PEM.
struct TestIdentity {
    let certificatePEM: String
    let keyPEM: String

    var certificateData: Data { Data(certificatePEM.utf8) }
    var keyData: Data { Data(keyPEM.utf8) }
}

/// A throwaway certificate authority generated for a test run (P-256, swift-certificates).
struct TestCA {
    let name: String
    private let key: P256.Signing.PrivateKey
    private let certificate: Certificate
    let certificatePEM: String

    var certificateData: Data { Data(certificatePEM.utf8) }

    init(name: String) throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: .init(key))
        self.name = name
        self.key = key
        self.certificate = certificate
        self.certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A server certificate for the given DNS names and IPv4 addresses.
    func issueServer(dnsNames: [String], ipv4: [[UInt8]] = [[127, 0, 0, 1]],
                     notBefore: Date = Date().addingTimeInterval(-3600),
                     notAfter: Date = Date().addingTimeInterval(86400)) throws -> TestIdentity {
        var names = dnsNames.map { GeneralName.dnsName($0) }
        names += ipv4.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
        return try issue(commonName: dnsNames.first ?? "server", names: names, usage: .serverAuth,
                         notBefore: notBefore, notAfter: notAfter)
    }

    /// A client certificate (as kubeconfig client-certificate-data would hold).
    func issueClient(commonName: String) throws -> TestIdentity {
        try issue(commonName: commonName, names: [], usage: .clientAuth,
                  notBefore: Date().addingTimeInterval(-3600), notAfter: Date().addingTimeInterval(86400))
    }

    private func issue(commonName: String, names: [GeneralName], usage: ExtendedKeyUsage.Usage,
                       notBefore: Date, notAfter: Date) throws -> TestIdentity {
        let leafKey = P256.Signing.PrivateKey()
        let issuerKeyID = SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: certificate.subject, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyID)
                if !names.isEmpty { SubjectAlternativeNames(names) }
            },
            issuerPrivateKey: .init(key))
        return TestIdentity(certificatePEM: try leaf.serializeAsPEM().pemString, keyPEM: leafKey.pemRepresentation)
    }
}

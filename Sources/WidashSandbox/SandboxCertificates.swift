import Crypto
import Foundation
import SwiftASN1
import WidashSandboxGCP
import WidashSandboxKit
import X509

/// The sandbox's TLS material, generated fresh at every start: a CA and one leaf certificate whose
/// subject alternative names cover loopback and every real host name the sandbox emulates, so a
/// client that trusts the CA and routes those names to loopback (libcurl CONNECT_TO) cannot tell
/// the sandbox from the real endpoints at the TLS layer.
struct SandboxCertificates: Sendable {
    let caPEM: String
    let leafPEM: String
    let leafKeyPEM: String

    /// Real host names the leaf certificate is valid for (wildcards as the real services use them).
    static let emulatedHostNames: [String] = {
        var names = [
            "localhost",
            "login.microsoftonline.com", "graph.microsoft.com", "management.azure.com",
            "*.vault.azure.net", "*.blob.core.windows.net", "*.documents.azure.com", "*.servicebus.windows.net",
            "sts.amazonaws.com", "iam.amazonaws.com",
        ] + GCPSandbox.hostNames
        for region in awsRegions {
            names.append("sts.\(region).amazonaws.com")
            names.append("eks.\(region).amazonaws.com")
            names.append("eks-auth.\(region).api.aws")
        }
        // The fleet's managed issuers (EKS, GKE), published by FleetIssuerHosting.
        return names + FleetIssuerHosting.hostNames.filter { !names.contains($0) }
    }()

    /// Concrete host names (no wildcards) that `SandboxInfo.connectTo` routes to the sandbox: the
    /// non-wildcard names above plus the demo's resource hosts under the wildcards.
    static var connectToHosts: [String] {
        emulatedHostNames.filter { !$0.hasPrefix("*.") && $0 != "localhost" } +
            [DemoDirectory.keyVaultHost, DemoDirectory.blobHost, DemoDirectory.cosmosHost, DemoDirectory.serviceBusHost]
    }

    /// AWS regions whose regional endpoints are emulated (the demo uses `DemoDirectory.awsRegion`).
    static let awsRegions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"]

    static func generate(now: Date = Date()) throws -> SandboxCertificates {
        let caKey = P256.Signing.PrivateKey()
        let caPublic = Certificate.PublicKey(caKey.publicKey)
        let caName = try DistinguishedName {
            OrganizationName("widash")
            CommonName("widash sandbox CA")
        }
        let caKeyID = SubjectKeyIdentifier(hash: caPublic)
        // Back-dated an hour so that small clock differences between processes do not matter.
        let notBefore = now.addingTimeInterval(-3600)
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPublic,
            notValidBefore: notBefore, notValidAfter: now.addingTimeInterval(30 * 86400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                caKeyID
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let leafKey = P256.Signing.PrivateKey()
        let leafPublic = Certificate.PublicKey(leafKey.publicKey)
        var sans: [GeneralName] = [.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        sans += emulatedHostNames.map { GeneralName.dnsName($0) }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: leafPublic,
            notValidBefore: notBefore, notValidAfter: now.addingTimeInterval(30 * 86400),
            issuer: caName, subject: try DistinguishedName { OrganizationName("widash"); CommonName("widash sandbox") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(sans)
                SubjectKeyIdentifier(hash: leafPublic)
                AuthorityKeyIdentifier(keyIdentifier: caKeyID.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        return SandboxCertificates(
            caPEM: try ca.serializeAsPEM().pemString,
            leafPEM: try leaf.serializeAsPEM().pemString,
            leafKeyPEM: leafKey.pemRepresentation)
    }
}

import Foundation

/// What makes a fleet member a cluster of its own beside its listener, CA and users (which every
/// sandbox generates): its issuer URL, where its keys are published, whether its API server serves
/// discovery at all, and its objects. Given to `SandboxServer.start` through `SandboxOptions.member`.
struct FleetClusterSpec: Sendable {
    /// The service-account issuer (`--service-account-issuer`); nil: the listener's own URL.
    var issuer: String?
    /// The discovery document's `jwks_uri` (`--service-account-jwks-uri`); nil: `{issuer}/openid/v1/jwks`.
    var jwksURI: String?
    /// False: the API server answers its discovery paths with 404 (a misconfigured cluster).
    var publishesDiscovery = true
    /// The cluster's objects; nil: the options' scenario.
    var content: (@Sendable (Date) -> ScenarioContent)?
}

/// What the first cluster of a fleet holds of the others: it keeps them alive, stops them with
/// itself and hands out the fleet's kubeconfig.
struct FleetLink: Sendable {
    var companions: [SandboxServer]
    var kubeconfigYAML: @Sendable (SandboxUser) -> String
}

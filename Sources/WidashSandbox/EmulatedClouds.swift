import WidashSandboxAWS
import WidashSandboxAzure
import WidashSandboxGCP
import WidashSandboxKit

/// Every emulated cloud the sandbox hosts beside the Kubernetes API: Azure first (its loopback
/// Entra paths are specific), then AWS (its loopback dispatcher decides by SigV4 scope and
/// `Action`), then Google (its loopback paths).
public enum EmulatedClouds {
    @Sendable public static func services(context: SandboxContext) -> [any SandboxService] {
        AzureSandbox.services(context: context) + AWSSandbox.services(context: context) + GCPSandbox.services(context: context)
    }
}

import WidashSandboxAWS
import WidashSandboxAzure
import WidashSandboxKit

/// Every emulated cloud the sandbox hosts beside the Kubernetes API: Azure first (its loopback
/// Entra paths are specific), then AWS and GCP (whose loopback dispatcher takes the rest).
public enum EmulatedClouds {
    @Sendable public static func services(context: SandboxContext) -> [any SandboxService] {
        AzureSandbox.services(context: context) + AWSSandbox.services(context: context)
    }
}

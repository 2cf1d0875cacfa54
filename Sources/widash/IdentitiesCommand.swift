import ArgumentParser
import Foundation
import WidashCore

/// `widash identities`: the inventory of service accounts, their cloud bindings, pods and findings.
struct IdentitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identities",
        abstract: "List service accounts with their cloud identity bindings, pods and findings.",
        discussion: "Each binding's cloud side is audited read-only (no token exchange): trusted, mismatch, unknown (a permission missing, named). "
            + "Exit codes: 0 ok, 1 a verdict named by --fail-on, 2 configuration error (kubeconfig, arguments), 3 a remote service failed.")

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.short, .long], help: "Output: table, json or yaml.")
    var output: OutputFormat = .table

    @Flag(help: "Skip the trust audit: read the cluster only, no cloud API (bindings then carry no `trust`).")
    var noCloud = false

    @Option(help: ArgumentHelp("Exit 1 when a binding's trust verdict is this (repeatable): mismatch or unknown.", valueName: "state"))
    var failOn: [TrustVerdict.State] = []

    func run() async throws {
        let failing: Int
        do {
            try bootstrapLogging(cluster)
            guard output != .text else { throw ValidationError("-o must be table, json or yaml") }
            if noCloud && !failOn.isEmpty { throw ValidationError("--fail-on needs the trust audit, which --no-cloud turns off") }
            if failOn.contains(where: { $0 == .trusted || $0 == .checking }) { throw ValidationError("--fail-on takes mismatch or unknown") }
            let started = try await SessionFactory.forCommand(cluster).start()
            let inventory = noCloud ? try await started.session.inventory(namespace: started.namespace)
                : try await started.session.auditedInventory(namespace: started.namespace)
            failing = inventory.identities.flatMap(\.bindings).filter { b in b.trust.map { failOn.contains($0.state) } ?? false }.count
            switch output {
            case .json:
                printOut(String(decoding: try InventoryJSON.encode(inventory), as: UTF8.self))
            case .yaml:
                printOut(try YAMLOutput.render(json: try JSONValue.parse(try InventoryJSON.encode(inventory))))
            case .table, .text:
                printOut(InventoryTable.render(inventory, width: terminalWidth()))
            }
        } catch {
            throw fail(error)
        }
        if failing > 0 {
            FileHandle.standardError.write(Data("widash: \(failing) binding(s) with trust \(failOn.map(\.rawValue).joined(separator: " or "))\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension TrustVerdict.State: ExpressibleByArgument {}

/// The terminal's width for tables (COLUMNS, else 120).
func terminalWidth() -> Int {
    if let cols = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), cols >= 40 { return cols }
    return 120
}

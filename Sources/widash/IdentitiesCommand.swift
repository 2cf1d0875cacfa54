import ArgumentParser
import Foundation
import WidashCore

/// `widash identities`: the inventory of service accounts, their cloud bindings, pods and findings.
struct IdentitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identities",
        abstract: "List service accounts with their cloud identity bindings, pods and findings.",
        discussion: "Exit codes: 0 ok, 2 configuration error (kubeconfig, arguments), 3 a remote service failed.")

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.short, .long], help: "Output: table, json or yaml.")
    var output: OutputFormat = .table

    func run() async throws {
        do {
            try bootstrapLogging(cluster)
            guard output != .text else { throw ValidationError("-o must be table, json or yaml") }
            let started = try await SessionFactory.forCommand(cluster).start()
            let inventory = try await started.session.inventory(namespace: started.namespace)
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
    }
}

/// The terminal's width for tables (COLUMNS, else 120).
func terminalWidth() -> Int {
    if let cols = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), cols >= 40 { return cols }
    return 120
}

import ArgumentParser
import Foundation
import WidashCore
import WidashService

/// `widash identities`: the inventory of service accounts, their cloud bindings, pods and findings;
/// with `--all-contexts`, one summary row per kubeconfig context.
struct IdentitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identities",
        abstract: "List service accounts with their cloud identity bindings, pods and findings.",
        discussion: "Each binding's cloud side is audited read-only (no token exchange): trusted, mismatch, unknown (a permission missing, named). "
            + "With --all-contexts, every context of the kubeconfig is read at once (one row each; --details adds each inventory). "
            + "Exit codes: 0 ok, 1 a verdict or error finding named by --fail-on, 2 configuration error (kubeconfig, arguments), "
            + "3 a remote service failed (with --all-contexts: no cluster could be reached).")

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var fleet: FleetFlags

    @Option(name: [.short, .long], help: "Output: table, json or yaml.")
    var output: OutputFormat = .table

    @Flag(help: "Skip the trust audit: read the cluster only, no cloud API (bindings then carry no `trust`).")
    var noCloud = false

    @Option(help: ArgumentHelp("Exit 1 when a binding's trust verdict is this, or (error) when a finding is error-level (repeatable).",
                               valueName: "mismatch|unknown|error"))
    var failOn: [FailOnCondition] = []

    @Flag(help: "With --all-contexts: every cluster's inventory too (JSON/YAML: `inventory` next to `summary`; table: one table per context).")
    var details = false

    func run() async throws {
        let failing: [String]
        do {
            try bootstrapLogging(cluster)
            guard output != .text else { throw ValidationError("-o must be table, json or yaml") }
            if noCloud && failOn.contains(where: { $0.trustState != nil }) {
                throw ValidationError("--fail-on mismatch|unknown needs the trust audit, which --no-cloud turns off")
            }
            if try fleet.validate(with: cluster) {
                try await runFleet()
                return
            }
            if details { throw ValidationError("--details goes with --all-contexts (a single context's output is already detailed)") }
            let started = try await SessionFactory.forCommand(cluster).start()
            let inventory = noCloud ? try await started.session.inventory(namespace: started.namespace)
                : try await started.session.auditedInventory(namespace: started.namespace)
            failing = Self.failing(inventory, failOn)
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
        if !failing.isEmpty {
            FileHandle.standardError.write(Data("widash: \(failing.joined(separator: "; "))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// What `--fail-on` found, one phrase per kind (empty: nothing): bindings whose verdict it
    /// names, and error-level findings when it names `error`.
    static func failing(_ inventory: Inventory, _ failOn: [FailOnCondition]) -> [String] {
        var found: [String] = []
        let states = failOn.compactMap(\.trustState)
        let bindings = inventory.identities.flatMap(\.bindings).filter { b in b.trust.map { states.contains($0.state) } ?? false }.count
        if bindings > 0 { found.append("\(bindings) binding(s) with trust \(states.map(\.rawValue).joined(separator: " or "))") }
        if failOn.contains(.error) {
            let errors = (inventory.clusterFindings + inventory.identities.flatMap(\.findings)).filter { $0.severity == .error }.count
            if errors > 0 { found.append("\(errors) error-level finding(s)") }
        }
        return found
    }

    /// `--all-contexts`: every context's summary (and inventory with `--details`).
    private func runFleet() async throws {
        let session = try await FleetLauncher.start(cluster, fleet, auditTrust: !noCloud)
        let results: [(ClusterSummary, Inventory?)] = details ? await session.details() : await session.summaries().map { ($0, nil) }
        let document = FleetDocument(clusters: results.map { FleetCluster(summary: $0.0, inventory: $0.1) })
        switch output {
        case .json:
            printOut(String(decoding: try document.encoded(), as: UTF8.self))
        case .yaml:
            printOut(try YAMLOutput.render(json: try JSONValue.parse(try document.encoded())))
        case .table, .text:
            var text = FleetTable.render(results.map(\.0), width: terminalWidth())
            for (summary, inventory) in results {
                guard let inventory else { continue }
                text += "\n== \(summary.context) ==\n" + InventoryTable.render(inventory, width: terminalWidth())
            }
            printOut(text)
        }
        let summaries = results.map(\.0)
        if !summaries.isEmpty, summaries.allSatisfy({ $0.status == .unreachable }) {
            FileHandle.standardError.write(Data("widash: no cluster could be reached (\(summaries.count) context(s))\n".utf8))
            throw ExitCode(3)
        }
        let failing = Self.failingClusters(results, failOn)
        if !failing.isEmpty {
            FileHandle.standardError.write(Data("widash: \(failOn.map(\.rawValue).joined(separator: " or ")) in \(failing.joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The contexts with something `--fail-on` names (from the summaries' counts: they are all a
    /// fleet keeps).
    static func failingClusters(_ results: [(ClusterSummary, Inventory?)], _ failOn: [FailOnCondition]) -> [String] {
        results.map(\.0).filter { s in
            (failOn.contains(.error) && s.errors > 0)
                || (failOn.contains(.mismatch) && (s.trust?.mismatch ?? 0) > 0)
                || (failOn.contains(.unknown) && (s.trust?.unknown ?? 0) > 0)
        }.map(\.context)
    }
}

/// The terminal's width for tables (COLUMNS, else 120).
func terminalWidth() -> Int {
    if let cols = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), cols >= 40 { return cols }
    return 120
}

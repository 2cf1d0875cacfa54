import ArgumentParser
import Foundation
import WidashSandbox

/// Issue "Scale and speed" (a) and (e): widash's full inventory load against the sandbox's scale
/// scenario, side by side with kubectl and curl against the same server, each in a fresh child
/// process, runs alternating, medians reported.
struct LoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Full inventory load (wall time, peak RSS, bytes per pod) next to kubectl and curl, against the scale sandbox.")

    @OptionGroup var scale: ScaleOptions
    @Option(help: "Runs per contender (alternating order; medians are reported).")
    var runs = 3
    @Option(help: "Runs of `kubectl get … -o json` (about 40 s each at full size; 0 skips it).")
    var jsonRuns = 1
    @Option(help: "The kubectl to compare with.")
    var kubectl = "/usr/bin/kubectl"
    @Option(help: "The curl to compare with.")
    var curl = "curl"
    @Flag(help: "Skip kubectl entirely (e.g. where it is not installed).")
    var skipKubectl = false

    enum Contender: String, CaseIterable {
        case widash = "widash: full inventory load"
        case kubectl = "kubectl get serviceaccounts,pods -A"
        case kubectlJSON = "kubectl get serviceaccounts,pods -A -o json"
        case curl = "curl: both lists, one request each"
        /// The same two lists in the encoding widash asks for (half the bytes): the floor of its transfer.
        case curlProtobuf = "curl: both lists in protobuf"
    }

    func run() async throws {
        let kubectlPath = skipKubectl ? nil : ChildRunner.which(kubectl)
        if !skipKubectl && kubectlPath == nil { print("kubectl not found at \(kubectl): its rows are skipped") }
        guard let curlPath = ChildRunner.which(curl) else { throw BenchError("curl not found (\(curl)); install it or pass --curl") }
        print("machine: \(MachineDescription.text)")
        let sandbox = try await ScaleSandbox.start(scale)
        do {
            try await measure(sandbox, kubectlPath: kubectlPath, curlPath: curlPath)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    private func measure(_ sandbox: ScaleSandbox, kubectlPath: String?, curlPath: String) async throws {
        let server = await sandbox.server.objectCounts()
        let token = try sandbox.bearerToken()
        // kubectl keeps its discovery cache under $HOME/.kube: a private HOME, warm after the first run.
        let home = sandbox.directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") }
        environment["HOME"] = home
        environment["KUBECONFIG"] = sandbox.kubeconfig

        var walls: [Contender: [Double]] = [:], peaks: [Contender: [Double]] = [:]
        var loads: [LoadMeasurement] = []
        for run in 0..<max(1, runs) {
            var contenders: [Contender] = [.widash, .curl, .curlProtobuf]
            if kubectlPath != nil {
                contenders.insert(.kubectl, at: 1)
                if run < jsonRuns { contenders.append(.kubectlJSON) }
            }
            for contender in run % 2 == 0 ? contenders : contenders.reversed() {
                let result: ChildRun
                switch contender {
                case .widash:
                    let (load, run) = try ChildRunner.measurement(LoadMeasurement.self, ["measure-load", "--kubeconfig", sandbox.kubeconfig],
                                                                  what: "widash load", environment: environment)
                    result = run
                    loads.append(load)
                case .kubectl, .kubectlJSON:
                    let output = contender == .kubectlJSON ? ["-o", "json"] : []
                    result = try ChildRunner.run(kubectlPath ?? kubectl, ["get", "serviceaccounts,pods", "-A"] + output,
                                                 environment: environment)
                case .curl, .curlProtobuf:
                    let base = sandbox.server.info.apiServer
                    let accept = contender == .curl ? "application/json" : "application/vnd.kubernetes.protobuf"
                    // The token reaches curl on stdin (`-H @-`): not in argv, not on disk.
                    result = try ChildRunner.run(curlPath, [
                        "-sS", "--fail", "--cacert", sandbox.caFile, "-H", "@-", "-H", "Accept: \(accept)",
                        base + "/api/v1/serviceaccounts", "-o", "/dev/null", base + "/api/v1/pods", "-o", "/dev/null",
                    ], stdin: Data("Authorization: Bearer \(token)\n".utf8), environment: environment)
                }
                guard result.succeeded else {
                    throw BenchError("\(contender.rawValue) failed (exit \(result.exitStatus)): \(result.stderr.suffix(2000))")
                }
                walls[contender, default: []].append(result.wallSeconds)
                // widash reads its own VmHWM (exact with or without GNU time).
                let peak = contender == .widash ? (loads.last?.peakRSSBytes ?? result.peakRSSBytes) : result.peakRSSBytes
                peaks[contender, default: []].append(Double(peak))
                print("  run \(run + 1) \(contender.rawValue): \(Format.seconds(result.wallSeconds)), peak \(Format.bytes(peak))")
            }
        }
        print()
        print(Self.table(walls: walls, peaks: peaks, targets: Targets(pods: scale.pods)))
        if !ChildRunner.hasGNUTime {
            print("note: \(ChildRunner.gnuTime) is not installed, so kubectl's and curl's peak RSS are upper bounds "
                  + "(they include this process's, carried across exec); install GNU time for exact figures")
        }
        print()
        print(Self.summary(walls: walls, peaks: peaks, loads: loads, targets: Targets(pods: scale.pods)))
        print()
        try Self.checkConsistency(loads, server: server)
    }

    /// Issue #17's targets: at 50 000 pods load ≤ 1.6 × curl and peak ≤ 200 MB; at four times the
    /// cluster (more than 100 000 pods) load ≤ 2 × curl and peak ≤ 400 MB; kubectl ≤ 0.1 × at both.
    struct Targets {
        var curlRatio: Double
        var peakMB: Int
        init(pods: Int) {
            curlRatio = pods > 100_000 ? 2 : 1.6
            peakMB = pods > 100_000 ? 400 : 200
        }
    }

    static func table(walls: [Contender: [Double]], peaks: [Contender: [Double]], targets: Targets) -> String {
        let widash = Format.median(walls[.widash] ?? [])
        var table = BenchTable(["contender", "runs", "wall (median)", "peak RSS (median)", "widash ÷ it (wall)", "target"])
        for contender in Contender.allCases {
            guard let times = walls[contender], !times.isEmpty else { continue }
            let wall = Format.median(times)
            let ratio = contender == .widash ? "-" : Format.ratio(widash / max(wall, 1e-9))
            let target: String
            switch contender {
            case .widash: target = "peak RSS ≤ \(targets.peakMB) MB"
            case .kubectl: target = "≤ 0.1×"
            case .kubectlJSON, .curlProtobuf: target = "-"
            case .curl: target = "≤ \(Format.ratio(targets.curlRatio))"
            }
            table.add([contender.rawValue, String(times.count), Format.seconds(wall),
                       Format.bytes(Int(Format.median(peaks[contender] ?? []))), ratio, target])
        }
        return table.render()
    }

    static func summary(walls: [Contender: [Double]], peaks: [Contender: [Double]], loads: [LoadMeasurement], targets: Targets) -> String {
        let pods = Double(max(1, loads.first?.pods ?? 1))
        let held = Format.median(loads.map { Double($0.heldBytes) / pods })
        let heldInventory = Format.median(loads.map { Double($0.heldInventoryBytes) / pods })
        let heap = Format.median(loads.map { Double($0.heapHeldBytes) / pods })
        let heapInventory = Format.median(loads.map { Double($0.heapHeldInventoryBytes) / pods })
        let inProcess = Format.median(loads.map(\.loadSeconds))
        let widash = Format.median(walls[.widash] ?? [])
        let widashPeak = Format.median(peaks[.widash] ?? [])
        var lines = [
            "widash load inside its process (after a warm-up request): \(Format.seconds(inProcess)) (median); the table's wall time is the whole child process",
            "held per pod: \(Int(held)) B with the objects and the identity index alive, \(Int(heldInventory)) B with the inventory alone (target ≤ 1024 B)",
            "live heap per pod (allocated, not freed; RSS minus fragmentation): \(Int(heap)) B with the objects and the index, \(Int(heapInventory)) B with the inventory alone",
        ]
        func verdict(_ met: Bool) -> String { met ? "met" : "MISSED" }
        if let kubectl = walls[.kubectl].map(Format.median) {
            lines.append("target (a) wall ≤ 0.1 × kubectl: \(Format.ratio(widash / max(kubectl, 1e-9))) → \(verdict(widash <= 0.1 * kubectl))")
        }
        if let curl = walls[.curl].map(Format.median) {
            lines.append("target (a) wall ≤ \(Format.ratio(targets.curlRatio)) curl: \(Format.ratio(widash / max(curl, 1e-9))) → "
                         + verdict(widash <= targets.curlRatio * curl))
        }
        lines.append("target (a) peak RSS ≤ \(targets.peakMB) MB: \(Format.bytes(Int(widashPeak))) → "
                     + verdict(widashPeak <= Double(targets.peakMB) * 1024 * 1024))
        lines.append("target (e) ≤ 1 KB per pod held: \(Int(held)) B → \(verdict(held <= 1024))")
        return lines.joined(separator: "\n")
    }

    /// Every widash run must have seen exactly what the server holds.
    static func checkConsistency(_ loads: [LoadMeasurement], server: SandboxObjectCounts) throws {
        let mismatches = loads.enumerated().compactMap { index, load -> String? in
            let seen = SandboxObjectCounts(namespaces: load.namespaces, serviceAccounts: load.serviceAccounts, pods: load.pods,
                                           mutatingWebhookConfigurations: load.webhooks)
            if seen != server { return "run \(index + 1) saw \(seen)" }
            if load.inventoryPods != load.pods { return "run \(index + 1): the inventory shows \(load.inventoryPods) of \(load.pods) pods" }
            if load.identities != load.serviceAccounts {
                return "run \(index + 1): the inventory has \(load.identities) identities for \(load.serviceAccounts) service accounts"
            }
            return nil
        }
        guard mismatches.isEmpty else {
            print("consistency: FAILED (server: \(server)): \(mismatches.joined(separator: "; "))")
            throw BenchError("consistency check failed: \(mismatches.joined(separator: "; "))")
        }
        print("consistency: ok — every widash run counted \(server), as the server holds, and the inventory shows every pod and service account")
    }
}

import ArgumentParser
import Foundation
import WidashSandbox

/// Issue "Fleet view", benchmark: N clusters of the scale scenario served by one sandbox process
/// (20 × 2 500 pods by default, 50 000 pods in all); the real dashboard with `--fleet` in a
/// pseudo-terminal, timed from spawn to the first frame with every cluster's summary in, and its
/// peak RSS; `widash identities --all-contexts` (the CLI's fleet); next to `kubectl get pods -A`
/// run once per context, one after the other (what a person does today). Runs alternate; medians.
struct FleetBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Fleet view: time to the complete fleet frame and peak RSS over N scale clusters, next to kubectl per context.")

    @Option(help: "Clusters in the fleet.")
    var clusters = 20
    @Option(help: "Pods per cluster.")
    var pods = 2_500
    @Option(help: "Service accounts per cluster.")
    var serviceAccounts = 500
    @Option(help: "Namespaces per cluster.")
    var namespaces = 50
    @Option(help: "Runs per contender (alternating; medians are reported).")
    var runs = 3
    @Option(help: "The widash executable (default: the one next to this executable).")
    var widash: String?
    @Option(help: "The kubectl to compare with.")
    var kubectl = "/usr/bin/kubectl"
    @Option(help: "Seconds allowed for one dashboard run.")
    var timeout = 120.0

    func validate() throws {
        guard clusters >= 1, runs >= 1, pods >= 0, serviceAccounts >= 1, namespaces >= 1 else {
            throw ValidationError("need --clusters ≥ 1, --runs ≥ 1 and a non-empty cluster")
        }
    }

    func run() async throws {
        let binary = widash ?? (ProcessStats.executablePath as NSString).deletingLastPathComponent + "/widash"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("the widash executable is missing at \(binary): build it (`swift build -c release --product widash`) or pass --widash PATH")
        }
        guard let kubectlPath = ChildRunner.which(kubectl) else { throw BenchError("kubectl not found at \(kubectl)") }
        print(MachineDescription.text)
        let directory = NSTemporaryDirectory() + "widash-bench-fleet-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = ProcessStats.monotonicSeconds()
        let fleet = try await SandboxFleet.start(clusters: clusters, SandboxOptions(
            scenario: .scale(namespaces: namespaces, serviceAccounts: serviceAccounts, pods: pods), isStatic: true))
        // As ScaleSandbox: each cluster encodes its lists to protobuf once, before the first measured run.
        for cluster in fleet.clusters { try await cluster.encodeProtobufLists() }
        print("sandbox: \(clusters) clusters × \(namespaces) namespaces / \(serviceAccounts) service accounts / \(pods) pods "
              + "(\(clusters * pods) pods in all), started in \(Format.seconds(ProcessStats.monotonicSeconds() - start))")
        let kubeconfig = directory + "/kubeconfig"
        // The kubeconfig holds tokens: private to this user, removed with the directory.
        _ = FileManager.default.createFile(atPath: kubeconfig, contents: Data(fleet.kubeconfigYAML().utf8),
                                       attributes: [.posixPermissions: 0o600])
        do {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
                Thread {
                    done.resume(with: Result {
                        try measure(binary: binary, kubectl: kubectlPath, kubeconfig: kubeconfig, contexts: fleet.contexts, home: directory)
                    })
                }.start()
            }
        } catch {
            await fleet.stop()
            throw error
        }
        await fleet.stop()
    }

    enum Contender: String, CaseIterable {
        case dashboard = "widash --fleet: spawn → complete fleet frame"
        case cli = "widash identities --all-contexts --no-cloud -o json"
        case kubectl = "kubectl get pods -A, once per context, one after the other"
    }

    private func measure(binary: String, kubectl: String, kubeconfig: String, contexts: [String], home: String) throws {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") && !$0.key.hasPrefix("WIDASH_") }
        environment["HOME"] = home
        environment["KUBECONFIG"] = kubeconfig
        var walls: [Contender: [Double]] = [:], peaks: [Contender: [Double]] = [:]
        var problems: [String] = []
        for run in 0..<runs {
            for contender in run % 2 == 0 ? Contender.allCases : Contender.allCases.reversed() {
                switch contender {
                case .dashboard:
                    let result = try FramesTerminal.run(widash: binary, kubeconfig: kubeconfig, width: 200, height: 50, keys: [],
                                                        timeout: timeout,
                                                        arguments: ["--fleet", "--no-cloud"])
                    if !result.sawCompleteFrame || result.exitCode != 0 {
                        problems.append("run \(run + 1): the dashboard's complete frame seen: \(result.sawCompleteFrame), exit \(result.exitCode)")
                    }
                    walls[contender, default: []].append(result.completeSeconds)
                    peaks[contender, default: []].append(Double(result.peakRSSBytes))
                    print("  run \(run + 1) \(contender.rawValue): \(Format.seconds(result.completeSeconds)), peak \(Format.bytes(result.peakRSSBytes))")
                case .cli:
                    let result = try ChildRunner.run(binary, ["identities", "--all-contexts", "--no-cloud", "-o", "json"],
                                                     captureStdout: true, environment: environment)
                    if let problem = Self.checkCLI(result, contexts: contexts, podsPerCluster: pods) { problems.append("run \(run + 1): \(problem)") }
                    walls[contender, default: []].append(result.wallSeconds)
                    peaks[contender, default: []].append(Double(result.peakRSSBytes))
                    print("  run \(run + 1) \(contender.rawValue): \(Format.seconds(result.wallSeconds)), peak \(Format.bytes(result.peakRSSBytes))")
                case .kubectl:
                    var total = 0.0, peak = 0
                    for context in contexts {
                        let result = try ChildRunner.run(kubectl, ["get", "pods", "-A", "--context", context], environment: environment)
                        guard result.succeeded else { throw BenchError("kubectl --context \(context) failed: \(result.stderr.suffix(500))") }
                        total += result.wallSeconds
                        peak = max(peak, result.peakRSSBytes)
                    }
                    walls[contender, default: []].append(total)
                    peaks[contender, default: []].append(Double(peak))
                    print("  run \(run + 1) \(contender.rawValue): \(Format.seconds(total)), peak of one run \(Format.bytes(peak))")
                }
            }
        }
        print()
        let kubectlWall = Format.median(walls[.kubectl] ?? [])
        var table = BenchTable(["contender", "runs", "wall (median)", "peak RSS (median)", "÷ kubectl (wall)", "target"])
        for contender in Contender.allCases {
            let wall = Format.median(walls[contender] ?? [])
            let target = contender == .dashboard ? "≤ 3 s, ≤ 300 MB" : "-"
            table.add([contender.rawValue, String(walls[contender]?.count ?? 0), Format.seconds(wall),
                       Format.bytes(Int(Format.median(peaks[contender] ?? []))),
                       contender == .kubectl ? "-" : Format.ratio(wall / max(kubectlWall, 1e-9)), target])
        }
        print(table.render())
        let frame = Format.median(walls[.dashboard] ?? []), rss = Format.median(peaks[.dashboard] ?? [])
        print("target: complete fleet frame ≤ 3 s: \(Format.seconds(frame)) → \(frame <= 3 ? "met" : "MISSED"); "
              + "peak RSS ≤ 300 MB: \(Format.bytes(Int(rss))) → \(rss <= 300 * 1024 * 1024 ? "met" : "MISSED")")
        guard problems.isEmpty else {
            print("consistency: FAILED: \(problems.joined(separator: "; "))")
            throw BenchError("consistency check failed")
        }
        print("consistency: ok: every dashboard run reached its complete fleet frame and exited 0; every CLI run "
              + "reported \(contexts.count) clusters ready with \(pods) pods each")
    }

    /// The CLI's JSON must name every context, each ready with every pod of the scale cluster.
    static func checkCLI(_ run: ChildRun, contexts: [String], podsPerCluster: Int) -> String? {
        guard run.succeeded else { return "identities --all-contexts exited \(run.exitStatus): \(run.stderr.suffix(500))" }
        struct Document: Decodable {
            struct Cluster: Decodable {
                struct Summary: Decodable { var context: String; var status: String; var pods: Int }
                var summary: Summary
            }
            var clusters: [Cluster]
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: run.stdout) else { return "identities --all-contexts printed no fleet JSON" }
        let summaries = document.clusters.map(\.summary)
        if Set(summaries.map(\.context)) != Set(contexts) { return "contexts \(summaries.map(\.context)) instead of \(contexts)" }
        if let bad = summaries.first(where: { $0.status != "ready" || $0.pods != podsPerCluster }) {
            return "\(bad.context): \(bad.status) with \(bad.pods) pods (expected ready with \(podsPerCluster))"
        }
        return nil
    }
}

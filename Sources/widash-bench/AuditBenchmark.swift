import ArgumentParser
import Foundation
import WidashCloud
import WidashCore
import WidashHTTP
import WidashSandbox
import WidashSandboxKit
import WidashService

/// Issue "Cloud-side trust at a glance": a full trust audit of the scale scenario's bindings (a
/// third Azure user-assigned identities, a third IRSA roles, a third EKS Pod Identity associations,
/// their cloud side served by the sandbox's ARM, IAM and EKS, a deterministic mix of trusted and
/// mismatched: every service account has one binding to audit), with the number of cloud
/// calls; side by side, botocore reading the same IAM roles; and the dashboard's keystroke latency
/// while its own audit runs. The verdicts are checked against the scenario's rule.
struct AuditBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Full trust audit of the scale scenario: time, cloud calls, botocore side by side, keystrokes during the audit.")

    @OptionGroup var scale: ScaleOptions
    @Option(help: "Audits (each with a cold reader: nothing cached; the median is reported).")
    var runs = 3
    @Option(help: "Bindings read at once per cloud.")
    var concurrency = 8
    @Option(help: "The widash executable for the keystroke run (default: the one next to this executable).")
    var widash: String?
    @Option(help: "Python with botocore for the peer (default: $WIDASH_PYTHON, else python3).")
    var python: String?
    @Flag(help: "Skip botocore.")
    var skipPeer = false
    @Flag(help: "Skip the dashboard keystroke run.")
    var skipTerminal = false
    @Option(help: "Seconds allowed for the keystroke run.")
    var timeout = 180.0

    func run() async throws {
        print("machine: \(MachineDescription.text)")
        try await ScaleSandbox.with(scale, clouds: true) { try await measure($0) }
    }

    /// A session on the sandbox as `widash --demo` builds one: its kubeconfig, its CA and host
    /// mapping for the clouds, the demo operator's credentials. Each has its own (cold) reader.
    private func session(_ sandbox: ScaleSandbox) throws -> ClusterSession {
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.server.kubeconfigYAML().utf8), origin: "<scale sandbox>",
                                                context: nil, namespace: nil)
        let environment = SandboxServer.operatorEnvironment(base: [:])
        return ClusterSession(SessionConfiguration(kube: kube, transportFactory: { CurlTransport(options: $0) },
                                                   cloudHTTP: sandbox.server.cloudHTTPOptions, cloudEnvironment: environment, readOnly: true,
                                                   eksClusterName: environment["WIDASH_EKS_CLUSTER"]))
    }

    private func measure(_ sandbox: ScaleSandbox) async throws {
        let inventory = try await session(sandbox).inventory(namespace: nil)
        let bindings = TrustSubject.all(in: inventory, workloadPool: nil).count
        print("inventory: \(inventory.identities.count) service accounts, \(bindings) bindings to audit")

        var seconds: [Double] = []
        var calls = 0
        var audited = 0
        var folded = inventory
        for run in 1...max(1, runs) {
            let s = try session(sandbox)
            var audit = s.trustAudit(issuer: inventory.issuer)
            audit.concurrency = concurrency
            let start = ProcessStats.monotonicSeconds()
            let result = await audit.run(inventory)
            let elapsed = ProcessStats.monotonicSeconds() - start
            seconds.append(elapsed)
            calls = s.trustReader.requests.value
            // With the service accounts that have a Pod Identity association but no pod carrying it.
            audited = result.verdicts.count
            folded = TrustFolding.apply(result, to: inventory, workloadPool: nil)
            print("  audit \(run): \(result.verdicts.count) verdicts in \(Format.seconds(elapsed)), \(calls) cloud calls")
        }
        let counts = try check(folded)

        // The IRSA part alone (the IRSA service accounts, so no Pod Identity association is
        // described), next to botocore making the same IAM reads.
        var irsaOnly = inventory
        irsaOnly.identities = inventory.identities.filter { $0.bindings.contains { $0.provider == .awsIRSA } }.map { entry in
            var e = entry
            e.bindings = entry.bindings.filter { $0.provider == .awsIRSA }
            return e
        }
        let roles = irsaOnly.identities.flatMap { $0.bindings.compactMap(\.cloudIdentity) }.compactMap(IAMClient.roleName(fromARN:))
        var widashIRSA: [Double] = []
        var botocore: [Double] = []
        for run in 1...max(1, runs) {
            let s = try session(sandbox)
            var audit = s.trustAudit(issuer: inventory.issuer)
            audit.concurrency = concurrency
            let start = ProcessStats.monotonicSeconds()
            _ = await audit.run(irsaOnly)
            widashIRSA.append(ProcessStats.monotonicSeconds() - start)
            if !skipPeer {
                botocore.append(try peer(sandbox, roles: roles))
                print("  IRSA \(run): widash \(Format.seconds(widashIRSA.last ?? 0)) (\(s.trustReader.requests.value) calls), "
                      + "botocore \(Format.seconds(botocore.last ?? 0)) (\(roles.count) get_role)")
            }
        }

        var terminal: [FramesTerminalResult] = []
        if !skipTerminal {
            for _ in 1...max(1, runs) { terminal.append(try keystrokes(sandbox)) }
        }

        print()
        let median = Format.median(seconds)
        var table = BenchTable(["measure", "runs", "median", "cloud calls", "target", "met"])
        table.add(["widash: full trust audit, \(audited) bindings (cold)", String(seconds.count), Format.seconds(median), String(calls),
                   "≤ 10 s", median <= 10 ? "yes" : "NO"])
        let irsaMedian = Format.median(widashIRSA)
        table.add(["widash: IRSA part, \(roles.count) roles", String(widashIRSA.count), Format.seconds(irsaMedian), String(roles.count + 1), "", ""])
        if !botocore.isEmpty {
            let peer = Format.median(botocore)
            table.add(["botocore: iam get_role × \(roles.count), \(concurrency) threads", String(botocore.count), Format.seconds(peer),
                       String(roles.count), "widash/botocore \(String(format: "%.2f", irsaMedian / max(peer, 1e-9)))×", ""])
        }
        if !terminal.isEmpty {
            let p99s = terminal.map { Percentile.of($0.keySeconds.values.flatMap { $0 }, 99) }
            let inside = terminal.map { Percentile.of($0.keyInsideSeconds.values.flatMap { $0 }, 99) }
            let keys = terminal[0].keySeconds.values.reduce(0) { $0 + $1.count }
            table.add(["dashboard key → frame p99 while its audit runs (\(keys) keys)", String(terminal.count),
                       String(format: "%.1f ms", Format.median(p99s) * 1000), "", "≤ 10 ms", Format.median(p99s) <= 0.010 ? "yes" : "NO"])
            table.add(["    of which inside widash (key read → frame flushed)", String(terminal.count),
                       String(format: "%.1f ms", Format.median(inside) * 1000), "", "", ""])
            print("keystroke p99 per run: " + p99s.map { String(format: "%.1f ms", $0 * 1000) }.joined(separator: ", ")
                  + "; inside widash: " + inside.map { String(format: "%.1f ms", $0 * 1000) }.joined(separator: ", "))
        }
        print(table.render())
        if let last = terminal.last {
            print("keys were typed from \(Format.seconds(last.keysFromSeconds)) to \(Format.seconds(last.keysUntilSeconds)) after "
                  + "the complete frame; the dashboard's audit starts at that frame and takes about \(Format.seconds(median)) "
                  + "(the in-process figure above): \(last.keysFromSeconds < median ? "the keys overlapped the audit" : "the keys came after the audit")")
        }
        print("consistency: ok — every verdict is the scenario's: \(counts)")
    }

    /// Every service account's verdict against `ScaleIdentities.expectedVerdict`.
    private func check(_ inventory: Inventory) throws -> String {
        var tally: [ScaleIdentities.Verdict: Int] = [:]
        var wrong: [String] = []
        for entry in inventory.identities {
            guard entry.name.hasPrefix("svc-"), let index = Int(entry.name.dropFirst(4)) else { continue }
            let expected = ScaleIdentities.expectedVerdict(index)
            // Exactly one binding, of the scenario's provider (a Pod Identity one comes from the
            // pods' env or, for pods that started before the association, from the association).
            let provider: Provider
            switch ScaleIdentities.provider(index) {
            case .azure: provider = .azure
            case .irsa: provider = .awsIRSA
            case .podIdentity: provider = .awsPodIdentity
            }
            let binding = entry.bindings.count == 1 && entry.bindings[0].provider == provider ? entry.bindings[0] : nil
            let verdict = binding?.trust
            let got: ScaleIdentities.Verdict?
            switch verdict?.state {
            case .trusted?: got = verdict?.noRoles == true ? .noRoleAssignment : .trusted
            case .mismatch? where verdict?.failingFields == "subject" && provider != .awsPodIdentity: got = .subjectMismatch
            case .mismatch? where verdict?.failingFields == "trust policy" && provider == .awsPodIdentity: got = .trustPolicyMismatch
            default: got = nil
            }
            if got != expected {
                wrong.append("\(entry.key): expected \(expected) (\(provider.rawValue)), got \(entry.bindings.map(\.provider.rawValue)) "
                             + "\(verdict?.label ?? "none") \(verdict?.reason ?? "")")
            }
            tally[expected, default: 0] += 1
        }
        guard wrong.isEmpty else {
            print("consistency: FAILED: \(wrong.count) verdicts differ from the scenario, e.g. \(wrong.prefix(3).joined(separator: "; "))")
            throw BenchError("verdicts differ from the scenario")
        }
        return [ScaleIdentities.Verdict.trusted, .subjectMismatch, .noRoleAssignment, .trustPolicyMismatch]
            .map { "\($0.rawValue) \(tally[$0] ?? 0)" }.joined(separator: ", ")
    }

    /// botocore's IAM client reading the same roles from the sandbox, `concurrency` threads; seconds.
    private func peer(_ sandbox: ScaleSandbox, roles: [String]) throws -> Double {
        let interpreter = python ?? ProcessInfo.processInfo.environment["WIDASH_PYTHON"] ?? "python3"
        let script = """
        import concurrent.futures, json, sys, time
        import botocore.config, botocore.session
        cfg = json.load(sys.stdin)
        client = botocore.session.get_session().create_client(
            "iam", region_name="us-east-1", endpoint_url=cfg["endpoint"], verify=cfg["ca"],
            aws_access_key_id=cfg["key"], aws_secret_access_key=cfg["secret"],
            config=botocore.config.Config(max_pool_connections=cfg["threads"], retries={"max_attempts": 1}))
        client.get_role(RoleName=cfg["roles"][0])  # connection and signer warm-up, not timed
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(cfg["threads"]) as pool:
            docs = list(pool.map(lambda name: client.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"], cfg["roles"]))
        print(json.dumps({"seconds": time.perf_counter() - start, "roles": len(docs)}))
        """
        let operatorKeys = SandboxServer.operatorEnvironment
        let config: [String: Any] = ["endpoint": sandbox.server.info.awsEndpoint, "ca": sandbox.caFile,
                                     "key": operatorKeys["AWS_ACCESS_KEY_ID"] ?? "", "secret": operatorKeys["AWS_SECRET_ACCESS_KEY"] ?? "",
                                     "threads": concurrency, "roles": roles]
        let output = try PythonPeer.run(interpreter, script: script, input: try JSONSerialization.data(withJSONObject: config))
        guard let o = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any], let s = o["seconds"] as? Double,
              (o["roles"] as? Int) == roles.count else {
            throw BenchError("botocore printed no result: \(String(decoding: output, as: UTF8.self))")
        }
        return s
    }

    /// The real dashboard in a terminal, with the sandbox's cloud settings in its environment (as
    /// after `source` of the env file), typing the frames script while its audit runs.
    private func keystrokes(_ sandbox: ScaleSandbox) throws -> FramesTerminalResult {
        let binary = widash ?? (ProcessStats.executablePath as NSString).deletingLastPathComponent + "/widash"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("the widash executable is missing at \(binary): build it or pass --widash PATH (or --skip-terminal)")
        }
        var environment: [String: String] = [:]
        for line in sandbox.server.envExports().split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            environment[String(pair[0])] = String(pair[1].dropFirst().dropLast()).replacingOccurrences(of: "'\\''", with: "'")
        }
        let result = try FramesTerminal.run(widash: binary, kubeconfig: sandbox.kubeconfig, width: 160, height: 50,
                                            keys: FrameScript.keystrokes(), timeout: timeout, environment: environment)
        print("  dashboard: complete frame after \(Format.seconds(result.completeSeconds)), keys framed \(result.framedKeys)/\(result.sentKeys), "
              + "exit \(result.exitCode)")
        return result
    }
}

/// Runs a Python script with JSON on stdin; its stdout.
enum PythonPeer {
    static func run(_ interpreter: String, script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, "-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("\(interpreter) failed (\(process.terminationStatus)): \(String(decoding: err.suffix(400), as: UTF8.self)) "
                             + "(botocore is in the venv install-deps.sh makes: WIDASH_PYTHON=$PWD/.venv/bin/python, or --skip-peer)")
        }
        return out
    }
}

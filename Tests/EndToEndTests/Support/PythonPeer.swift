import Foundation

/// A Python interpreter used as an independent judge (YAML parsing, JWT decoding).
struct PythonPeer {
    var executable: URL
    /// Arguments before the script (`python3` when run through /usr/bin/env).
    var prefix: [String]

    /// The first of `WIDASH_PYTHON`, `python3` on PATH and /usr/bin/python3 that can import `module`;
    /// nil (with a printed reason) when none can.
    static func find(module: String) -> PythonPeer? {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["WIDASH_PYTHON"], !configured.isEmpty { candidates.append(configured) }
        candidates += ["python3", "/usr/bin/python3"]
        for candidate in candidates {
            let peer = candidate.hasPrefix("/")
                ? PythonPeer(executable: URL(fileURLWithPath: candidate), prefix: [])
                : PythonPeer(executable: URL(fileURLWithPath: "/usr/bin/env"), prefix: [candidate])
            guard FileManager.default.isExecutableFile(atPath: peer.executable.path) else { continue }
            if peer.canImport(module) { return peer }
        }
        print("NOTE: no Python with module \(module) (tried \(candidates.joined(separator: ", "))); that part of the check is skipped")
        return nil
    }

    private func canImport(_ module: String) -> Bool {
        guard let child = try? ChildProcess(executable: executable, arguments: prefix + ["-c", "import \(module)"],
                                            environment: ProcessInfo.processInfo.environment) else { return false }
        guard child.waitForExit(timeout: 20) else {
            child.killHard()
            return false
        }
        return child.result.exitCode == 0 && !child.result.killedBySignal
    }
}

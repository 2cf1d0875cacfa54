import Foundation
import WidashTestPeers

/// A Python interpreter used as an independent judge (YAML parsing, JWT decoding).
struct PythonPeer {
    var executable: URL
    /// Arguments before the script (`python3` when run through /usr/bin/env).
    var prefix: [String]

    /// The Python peer that can import `module` (`Peers.python`: a missing one is a missing judge).
    static func find(module: String) throws -> PythonPeer {
        PythonPeer(executable: URL(fileURLWithPath: try Peers.python(importing: [module])), prefix: [])
    }
}

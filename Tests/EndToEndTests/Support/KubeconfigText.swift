import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small kubeconfigs written by the tests (the bad-input corpus).
enum KubeconfigText {
    /// One cluster `c`, one user `u`, context `x` (current unless `currentContext` is nil);
    /// `clusterExtra` and `user` are YAML flow-mapping fragments.
    static func make(server: String = "https://127.0.0.1:1", clusterExtra: String = "", user: String = "{token: not-a-real-token}",
                     contextUser: String = "u", contextCluster: String = "c", currentContext: String? = "x") -> String {
        """
        apiVersion: v1
        kind: Config
        \(currentContext.map { "current-context: \($0)" } ?? "")
        clusters:
        - name: c
          cluster: {server: "\(server)"\(clusterExtra.isEmpty ? "" : ", " + clusterExtra)}
        users:
        - name: u
          user: \(user)
        contexts:
        - name: x
          context: {cluster: \(contextCluster), user: \(contextUser)}

        """
    }

    static func tokenUser(server: String) -> String { make(server: server) }
}

/// A loopback TCP port nothing listens on: bound, then closed.
enum ClosedPort {
    static func find() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ChildProcessFailure(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw ChildProcessFailure(description: "bind() on 127.0.0.1:0 failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

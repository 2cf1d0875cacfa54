import Foundation

/// A file read from inside a container, and how.
public struct PodFileRead: Sendable, Equatable {
    public var contents: Data
    /// The command that read it, e.g. `cat /var/run/secrets/azure/tokens/azure-identity-token`.
    public var command: [String]
    public var truncated: Bool
}

/// Why a file in a container could not be read.
public enum PodFileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// None of the readers exists in the image (distroless images have no cat, head or dd).
    case noReader(pod: String, container: String?, path: String, tried: [String])
    /// A reader ran and failed (file missing, permission denied…).
    case readFailed(pod: String, path: String, detail: String)

    public var description: String {
        switch self {
        case .noReader(let pod, let container, let path, let tried):
            let target = container.map { " --target=\($0)" } ?? ""
            return "cannot read \(path) in \(pod): the image has no \(tried.joined(separator: ", ")) (a distroless image?); "
                + "read it from an ephemeral debug container sharing the process namespace: "
                + "kubectl debug -it -n \(pod.split(separator: "/").first ?? "") \(pod.split(separator: "/").last ?? "") --image=busybox\(target) "
                + "-- cat /proc/1/root\(path)"
        case .readFailed(let pod, let path, let detail):
            return "cannot read \(path) in \(pod): \(detail)"
        }
    }
}

extension KubeClient {
    /// Reads a small file in a container with the harmlessest command the image has: `cat`, else
    /// `head -c`, else `dd` (busybox, coreutils and most base images have one of them). At most
    /// `limit` bytes are kept. Needs what `exec` needs (and is refused the same way when read-only).
    public func readFile(namespace: String, pod: String, container: String?, path: String,
                         limit: Int = 64 * 1024, timeout: Duration = .seconds(15)) async throws -> PodFileRead {
        let readers: [[String]] = [["cat", path], ["head", "-c", String(limit), path], ["dd", "if=\(path)", "bs=\(limit)", "count=1"]]
        for command in readers {
            let result = try await exec(namespace: namespace, pod: pod, container: container, command: command,
                                        outputLimit: limit, timeout: timeout)
            if result.succeeded {
                return PodFileRead(contents: result.stdout, command: command, truncated: result.truncated)
            }
            if result.programMissing { continue }  // this image has no such program: try the next one
            throw PodFileReadError.readFailed(pod: "\(namespace)/\(pod)", path: path, detail: result.summary)
        }
        throw PodFileReadError.noReader(pod: "\(namespace)/\(pod)", container: container, path: path, tried: readers.map { $0[0] })
    }
}

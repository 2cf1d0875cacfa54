import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read failure with the operating system's reason ("Permission denied", "Is a directory").
public struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Identifies a version of a file cheaply (modification time and size), to notice rotated tokens.
public struct FileStamp: Sendable, Equatable {
    public var modified: Date
    public var size: Int
    public init(modified: Date, size: Int) { self.modified = modified; self.size = size }
}

/// File access the kubeconfig loader and credential providers go through, injectable for tests.
public struct KubeFileSystem: Sendable {
    public var read: @Sendable (String) throws -> Data
    public var exists: @Sendable (String) -> Bool
    public var stamp: @Sendable (String) -> FileStamp?

    public init(read: @escaping @Sendable (String) throws -> Data,
                exists: @escaping @Sendable (String) -> Bool,
                stamp: @escaping @Sendable (String) -> FileStamp?) {
        self.read = read
        self.exists = exists
        self.stamp = stamp
    }

    /// The real file system. Errors carry `strerror` text so messages say *why* a read failed.
    public static let local = KubeFileSystem(
        read: { path in try readLocalFile(path) },
        exists: { path in FileManager.default.fileExists(atPath: path) },
        stamp: { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let modified = attributes[.modificationDate] as? Date else { return nil }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            return FileStamp(modified: modified, size: size)
        })
}

/// Reads a whole file with POSIX calls, so that the error names the real cause.
func readLocalFile(_ path: String) throws -> Data {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw FileReadError(reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
        throw FileReadError(reason: "it is a directory")
    }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw FileReadError(reason: String(cString: strerror(errno)))
        }
        if count == 0 { break }
        data.append(contentsOf: buffer[0..<count])
    }
    return data
}

/// The process inputs kubeconfig loading depends on: environment variables, the home directory and
/// the file system. Tests build their own; production uses `.process`.
public struct KubeEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String?
    public var fileSystem: KubeFileSystem

    public init(variables: [String: String], homeDirectory: String?, fileSystem: KubeFileSystem = .local) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.fileSystem = fileSystem
    }

    /// This process's environment and home directory, and the real file system.
    public static var process: KubeEnvironment {
        let variables = ProcessInfo.processInfo.environment
        let home = variables["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return KubeEnvironment(variables: variables, homeDirectory: home)
    }
}

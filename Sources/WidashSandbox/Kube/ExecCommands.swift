import Foundation

/// A container's file system as far as the sandbox knows it: the volumes mounted into it, laid out
/// as the kubelet's AtomicWriter lays out a projected volume (kubernetes/kubernetes
/// pkg/volume/util/atomic_writer.go): the files in a timestamped directory `..2006_01_02_15_04_05.N`,
/// a `..data` symlink to it, and one symlink per top-level entry (`token -> ..data/token`).
/// Directories above the mounts exist, listing only what leads to the mounts (the image's own
/// files are not known).
struct ContainerFileSystem: Sendable {
    enum Entry: Sendable, Equatable {
        case directory
        case file(Data)
        case symlink(String)
    }

    private(set) var entries: [String: Entry] = ["/": .directory]

    /// Mounts one written volume at `mountPath`.
    mutating func mount(_ volume: KubeletVolumes.Written, at mountPath: String) {
        let root = Self.normalize(mountPath, relativeTo: "/")
        addDirectories(upTo: root)
        let stamp = Self.timestampDirectory(volume.writtenAt, seed: root)
        entries[root + "/" + stamp] = .directory
        entries[root + "/..data"] = .symlink(stamp)
        for (path, content) in volume.files {
            let inside = Self.normalize(path, relativeTo: "/").dropFirst()  // without the leading slash
            let target = root + "/" + stamp + "/" + inside
            addDirectories(upTo: "/" + target.split(separator: "/").dropLast().joined(separator: "/"))
            entries[target] = .file(content)
            let top = String(inside.split(separator: "/").first ?? Substring(inside))
            entries[root + "/" + top] = .symlink("..data/" + top)
        }
    }

    private mutating func addDirectories(upTo path: String) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if entries[current] == nil { entries[current] = .directory }
        }
    }

    /// AtomicWriter's `os.MkdirTemp(targetDir, time.Now().UTC().Format("..2006_01_02_15_04_05."))`:
    /// the UTC write time and a random number (here derived from the mount and the time).
    static func timestampDirectory(_ writtenAt: Int, seed: String) -> String {
        var seconds = time_t(writtenAt)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let digits = Deterministic.hex("atomic/\(seed)/\(writtenAt)", count: 8)
        let number = UInt32(digits, radix: 16) ?? 0
        return "..\(parts.tm_year + 1900)_\(two(parts.tm_mon + 1))_\(two(parts.tm_mday))_\(two(parts.tm_hour))_\(two(parts.tm_min))_\(two(parts.tm_sec)).\(number)"
    }

    /// `path` made absolute and clean (`.`, `..`, repeated slashes), without resolving symlinks.
    static func normalize(_ path: String, relativeTo directory: String) -> String {
        var parts: [Substring] = path.hasPrefix("/") ? [] : directory.split(separator: "/")
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    enum Lookup: Equatable { case missing, notADirectory, directory(String), file(Data) }

    /// Follows symlinks (relative to the link's directory) component by component, as the kernel does.
    func resolve(_ path: String) -> Lookup {
        var resolved = "/"
        var pending = Array(Self.normalize(path, relativeTo: "/").split(separator: "/").map(String.init))
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == ".." {
                resolved = Self.normalize("..", relativeTo: resolved)
                continue
            }
            guard entries[resolved] == .directory else { return .notADirectory }
            let candidate = resolved == "/" ? "/" + component : resolved + "/" + component
            switch entries[candidate] {
            case nil:
                return .missing
            case .symlink(let target):
                hops += 1
                if hops > 40 { return .missing }  // ELOOP
                if target.hasPrefix("/") { resolved = "/" }
                pending = target.split(separator: "/").map(String.init) + pending
            case .directory, .file:
                resolved = candidate
            }
        }
        switch entries[resolved] {
        case .file(let data): return .file(data)
        case .directory: return .directory(resolved)
        default: return .missing
        }
    }

    /// Names in a directory, sorted as `ls` sorts them in the C locale (byte order).
    func children(of directory: String) -> [String] {
        let prefix = directory == "/" ? "/" : directory + "/"
        return entries.keys.filter { $0.hasPrefix(prefix) && $0 != directory && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}

/// What an emulated command did: its output, and how it ended.
struct ExecOutcome: Equatable, Sendable {
    enum Ending: Equatable, Sendable {
        case exited(Int)
        /// The runtime could not start the process (`exec: "x": executable file not found in $PATH`).
        case startFailed(String)
    }
    var stdout = Data()
    var stderr = Data()
    var ending: Ending = .exited(0)
}

/// The commands the sandbox's containers have, emulated over `ContainerFileSystem` (no processes):
/// `cat`, `head`, `ls` and `date`, with GNU coreutils' messages and exit statuses in the C locale
/// (the images' shells and other tools are not emulated: asking for them fails as runc fails for a
/// missing executable).
enum ExecCommands {
    static let names: Set<String> = ["cat", "head", "ls", "date"]

    static func run(_ argv: [String], in fileSystem: ContainerFileSystem, now: Date, stdin: Data = Data()) -> ExecOutcome {
        guard let program = argv.first else { return ExecOutcome(ending: .startFailed(notFound(""))) }
        let name: String
        if program.contains("/") {
            // runc's `exec: "/x/y": stat /x/y: no such file or directory` for a path that does not exist.
            guard ["/bin/", "/usr/bin/"].contains(where: { program.hasPrefix($0) }),
                  names.contains(String(program.split(separator: "/").last ?? "")) else {
                return ExecOutcome(ending: .startFailed("exec: \"\(program)\": stat \(program): no such file or directory"))
            }
            name = String(program.split(separator: "/").last ?? "")
        } else {
            guard names.contains(program) else { return ExecOutcome(ending: .startFailed(notFound(program))) }
            name = program
        }
        let arguments = Array(argv.dropFirst())
        switch name {
        case "cat": return cat(arguments, fileSystem, stdin: stdin)
        case "head": return head(arguments, fileSystem, stdin: stdin)
        case "ls": return ls(arguments, fileSystem)
        default: return date(arguments, now: now)
        }
    }

    /// runc's wording for an executable that is not on PATH (libcontainer, via Go's exec.LookPath).
    static func notFound(_ program: String) -> String {
        "exec: \"\(program)\": executable file not found in $PATH"
    }

    private static func text(_ string: String) -> Data { Data(string.utf8) }

    // MARK: cat

    static func cat(_ arguments: [String], _ fs: ContainerFileSystem, stdin: Data) -> ExecOutcome {
        var outcome = ExecOutcome()
        var files: [String] = []
        var onlyFiles = false
        for argument in arguments {
            if !onlyFiles, argument == "--" { onlyFiles = true; continue }
            if !onlyFiles, argument.hasPrefix("-"), argument != "-" {
                // No option changes what a token file prints; GNU cat's -u is ignored, others are not emulated.
                if argument == "-u" { continue }
                outcome.stderr.append(text("cat: invalid option -- '\(argument.dropFirst().prefix(1))'\nTry 'cat --help' for more information.\n"))
                outcome.ending = .exited(1)
                return outcome
            }
            files.append(argument)
        }
        if files.isEmpty { files = ["-"] }
        var status = 0
        for path in files {
            if path == "-" { outcome.stdout.append(stdin); continue }
            switch fs.resolve(path) {
            case .file(let data): outcome.stdout.append(data)
            case .directory: outcome.stderr.append(text("cat: \(path): Is a directory\n")); status = 1
            case .notADirectory: outcome.stderr.append(text("cat: \(path): Not a directory\n")); status = 1
            case .missing: outcome.stderr.append(text("cat: \(path): No such file or directory\n")); status = 1
            }
        }
        outcome.ending = .exited(status)
        return outcome
    }

    // MARK: head

    static func head(_ arguments: [String], _ fs: ContainerFileSystem, stdin: Data) -> ExecOutcome {
        var outcome = ExecOutcome()
        var bytes: Int?
        var lines = 10
        var files: [String] = []
        var index = 0
        func invalid(_ what: String, _ value: String) -> ExecOutcome {
            var failed = ExecOutcome()
            failed.stderr = text("head: invalid number of \(what): '\(value)'\n")
            failed.ending = .exited(1)
            return failed
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-c" || argument == "-n" || argument.hasPrefix("--bytes=") || argument.hasPrefix("--lines=")
                || (argument.hasPrefix("-c") && argument.count > 2) || (argument.hasPrefix("-n") && argument.count > 2) {
                let isBytes = argument.hasPrefix("-c") || argument.hasPrefix("--bytes")
                var value: String
                if argument.hasPrefix("--") {
                    value = String(argument.split(separator: "=", maxSplits: 1).last ?? "")
                } else if argument.count > 2 {
                    value = String(argument.dropFirst(2))
                } else {
                    guard index < arguments.count else {
                        outcome.stderr = text("head: option requires an argument -- '\(argument.dropFirst())'\nTry 'head --help' for more information.\n")
                        outcome.ending = .exited(1)
                        return outcome
                    }
                    value = arguments[index]
                    index += 1
                }
                guard let number = Int(value), number >= 0 else { return invalid(isBytes ? "bytes" : "lines", value) }
                if isBytes { bytes = number } else { lines = number; bytes = nil }
            } else if argument.hasPrefix("-"), argument != "-" {
                outcome.stderr = text("head: invalid option -- '\(argument.dropFirst().prefix(1))'\nTry 'head --help' for more information.\n")
                outcome.ending = .exited(1)
                return outcome
            } else {
                files.append(argument)
            }
        }
        if files.isEmpty { files = ["-"] }
        func cut(_ data: Data) -> Data {
            if let bytes { return data.prefix(bytes) }
            var count = 0
            var end = data.startIndex
            while end < data.endIndex, count < lines {
                if data[end] == UInt8(ascii: "\n") { count += 1 }
                end = data.index(after: end)
            }
            return data[data.startIndex..<end]
        }
        var status = 0
        for (offset, path) in files.enumerated() {
            if files.count > 1 { outcome.stdout.append(text("\(offset > 0 ? "\n" : "")==> \(path == "-" ? "standard input" : path) <==\n")) }
            if path == "-" { outcome.stdout.append(cut(stdin)); continue }
            switch fs.resolve(path) {
            case .file(let data): outcome.stdout.append(cut(data))
            case .directory: outcome.stderr.append(text("head: error reading '\(path)': Is a directory\n")); status = 1
            case .notADirectory: outcome.stderr.append(text("head: cannot open '\(path)' for reading: Not a directory\n")); status = 1
            case .missing: outcome.stderr.append(text("head: cannot open '\(path)' for reading: No such file or directory\n")); status = 1
            }
        }
        outcome.ending = .exited(status)
        return outcome
    }

    // MARK: ls

    /// GNU ls writing to a pipe: one name per line (as `-1`); `-a` adds `.`, `..` and dot entries
    /// (AtomicWriter's `..data` and timestamped directory), `-A` the dot entries only.
    static func ls(_ arguments: [String], _ fs: ContainerFileSystem) -> ExecOutcome {
        var outcome = ExecOutcome()
        var all = false
        var almostAll = false
        var paths: [String] = []
        for argument in arguments {
            if argument.hasPrefix("-"), argument.count > 1 {
                for flag in argument.dropFirst() {
                    switch flag {
                    case "1": continue
                    case "a": all = true
                    case "A": almostAll = true
                    default:
                        outcome.stderr = text("ls: invalid option -- '\(flag)'\nTry 'ls --help' for more information.\n")
                        outcome.ending = .exited(2)
                        return outcome
                    }
                }
            } else {
                paths.append(argument)
            }
        }
        if paths.isEmpty { paths = ["."] }
        var status = 0
        var fileLines: [String] = []
        var directories: [(String, String)] = []
        for path in paths {
            switch fs.resolve(path == "." ? "/" : path) {
            case .file: fileLines.append(path)
            case .directory(let resolved): directories.append((path, resolved))
            case .missing, .notADirectory:
                outcome.stderr.append(text("ls: cannot access '\(path)': No such file or directory\n"))
                status = 2
            }
        }
        var blocks: [String] = []
        if !fileLines.isEmpty { blocks.append(fileLines.map { $0 + "\n" }.joined()) }
        for (path, resolved) in directories {
            var names = fs.children(of: resolved)
            if !(all || almostAll) { names = names.filter { !$0.hasPrefix(".") } }
            if all { names = [".", ".."] + names }
            let body = names.map { $0 + "\n" }.joined()
            blocks.append(paths.count > 1 ? "\(path):\n" + body : body)
        }
        outcome.stdout = text(blocks.joined(separator: "\n"))
        outcome.ending = .exited(status)
        return outcome
    }

    // MARK: date

    /// GNU date in a container (TZ unset: UTC): the default format `%a %b %e %H:%M:%S %Z %Y`, `-u`,
    /// `-R`, `-I` and `+FORMAT` with the common conversions.
    static func date(_ arguments: [String], now: Date) -> ExecOutcome {
        var format = "%a %b %e %H:%M:%S %Z %Y"
        var outcome = ExecOutcome()
        for argument in arguments {
            switch argument {
            case "-u", "--utc", "--universal": continue
            case "-R", "--rfc-email": format = "%a, %d %b %Y %H:%M:%S %z"
            case "-I", "--iso-8601": format = "%Y-%m-%d"
            default:
                if argument.hasPrefix("+") {
                    format = String(argument.dropFirst())
                } else if argument.hasPrefix("-") {
                    outcome.stderr = text("date: invalid option -- '\(argument.dropFirst().prefix(1))'\nTry 'date --help' for more information.\n")
                    outcome.ending = .exited(1)
                    return outcome
                } else {
                    outcome.stderr = text("date: invalid date '\(argument)'\n")
                    outcome.ending = .exited(1)
                    return outcome
                }
            }
        }
        outcome.stdout = text(strftimeUTC(format, now) + "\n")
        return outcome
    }

    static func strftimeUTC(_ format: String, _ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func pad(_ value: Int32, _ width: Int = 2, _ filler: Character = "0") -> String {
            let digits = String(value)
            return String(repeating: filler, count: max(0, width - digits.count)) + digits
        }
        var out = ""
        var iterator = format.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else { out.append(character); continue }
            guard let conversion = iterator.next() else { out.append("%"); break }
            switch conversion {
            case "a": out += days[Int(parts.tm_wday)]
            case "b", "h": out += months[Int(parts.tm_mon)]
            case "d": out += pad(parts.tm_mday)
            case "e": out += pad(parts.tm_mday, 2, " ")
            case "H": out += pad(parts.tm_hour)
            case "M": out += pad(parts.tm_min)
            case "S": out += pad(parts.tm_sec)
            case "m": out += pad(parts.tm_mon + 1)
            case "Y": out += String(parts.tm_year + 1900)
            case "y": out += pad((parts.tm_year + 1900) % 100)
            case "j": out += pad(parts.tm_yday + 1, 3)
            case "s": out += String(Int(seconds))
            case "Z": out += "UTC"
            case "z": out += "+0000"
            case "T": out += "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
            case "F": out += "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))"
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            default: out += "%" + String(conversion)
            }
        }
        return out
    }
}

import Foundation

/// The fuzz targets of `widash-fuzz`, one per parser of untrusted input.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// WidashCore `JWT.decode` and every `TokenRedaction`.
    case jwt
    /// WidashKube kubeconfig parsing, merging and context resolution, from memory.
    case kubeconfig
    /// WidashKube `WatchLineSplitter` and `WatchEventDecoder`, WidashKubeJSON's list and watch decoders.
    case watch
    /// WidashCloud `XMLTree` and the STS / IAM Query-protocol response and error parsers.
    case stsXML = "sts-xml"
    /// WidashCloud `EntraError` (AADSTS bodies), the Entra token response and Google's error bodies.
    case entraError = "entra-error"
    /// WidashHTTP `WebSocketFrameReader` and the client `WebSocketSession` (RFC 6455 frames from a server).
    case webSocketFrame = "websocket-frame"

    func run(_ data: Data) {
        switch self {
        case .jwt: JWTFuzz.run(data)
        case .kubeconfig: KubeconfigFuzz.run(data)
        case .watch: WatchFuzz.run(data)
        case .stsXML: STSXMLFuzz.run(data)
        case .entraError: EntraErrorFuzz.run(data)
        case .webSocketFrame: WebSocketFrameFuzz.run(data)
        }
    }

    /// `WIDASH_FUZZ_TARGET` wins; then `--target NAME` / `--target=NAME`; then the folder name of the
    /// first path argument (a corpus folder `…/jwt`, or a file inside one).
    static func select(environment: [String: String], arguments: [String]) -> FuzzTarget? {
        if let name = environment["WIDASH_FUZZ_TARGET"], !name.isEmpty { return FuzzTarget(rawValue: name) }
        if let flag = arguments.firstIndex(of: "--target"), flag + 1 < arguments.count {
            return FuzzTarget(rawValue: arguments[flag + 1])
        }
        if let inline = arguments.first(where: { $0.hasPrefix("--target=") }) {
            return FuzzTarget(rawValue: String(inline.dropFirst("--target=".count)))
        }
        guard let path = ReplayInputs.positional(arguments).first else { return nil }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        let url = URL(fileURLWithPath: path)
        let folder = exists && isFolder.boolValue ? url : url.deletingLastPathComponent()
        return FuzzTarget(rawValue: folder.lastPathComponent)
    }
}

/// Input paths for the replay driver: files as given, folders expanded to their files (sorted).
enum ReplayInputs {
    /// Arguments that are not flags (`-flag`, `--target NAME`).
    static func positional(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "--target" { skipNext = true; continue }
            if argument.hasPrefix("-") { continue }
            result.append(argument)
        }
        return result
    }

    static func paths(in arguments: [String]) -> [String] {
        positional(arguments).flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
    }
}

/// Checks an invariant of a fuzz target. On failure prints what broke and aborts, so libFuzzer
/// keeps the input as a crash. (Inputs are fuzzer-made; printing them leaks nothing.)
func fuzzExpect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    printError("widash-fuzz: invariant failed at \(file):\(line): \(message())\n")
    abort()
}

/// Writes to standard error (unbuffered, so the message precedes an abort).
func printError(_ message: String) {
    FileHandle.standardError.write(Data(message.utf8))
}

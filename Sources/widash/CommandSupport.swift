import ArgumentParser
import Foundation
import Logging
import WidashService

/// Sets up logging: to `--log-file` (scrubbed), never to the terminal.
func bootstrapLogging(_ options: ClusterOptions) throws {
    guard let level = Logger.Level(rawValue: options.logLevel.lowercased()) else {
        throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
    }
    if let path = options.logFile {
        let make = try ScrubbingFileLogHandler.open(path: path)
        LoggingSystem.bootstrap { label in make(label, level) }
    } else {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
    }
}

/// Prints one clear line to stderr and exits with 2 (configuration) or 3 (remote).
func fail(_ error: any Error) -> ExitCode {
    if let code = error as? ExitCode { return code }
    if let usage = error as? ValidationError {
        FileHandle.standardError.write(Data("widash: \(usage.message)\n".utf8))
        return ExitCode(2)
    }
    let kind = FailureKind(error)
    FileHandle.standardError.write(Data("widash: \(error)\n".utf8))
    return ExitCode(kind.exitCode)
}

func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// `NAMESPACE/NAME` arguments.
func splitQualified(_ text: String, what: String) throws -> (String, String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw ValidationError("expected NAMESPACE/\(what.uppercased()), e.g. shop/frontend; got '\(text)'")
    }
    return (String(parts[0]), String(parts[1]))
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml, text
}

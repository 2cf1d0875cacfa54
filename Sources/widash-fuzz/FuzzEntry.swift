import Foundation

// libFuzzer entry point; see README "Fuzzing".
//
// Built with `-DWIDASH_FUZZ -sanitize=fuzzer,address` (fuzz.sh), libFuzzer's engine is linked in.
// SwiftPM links every executable on Linux with `--defsym main=<module>_main`, so libFuzzer's own
// `main` is never pulled from its archive; our `@main` below calls `LLVMFuzzerRunDriver` instead,
// which parses the usual libFuzzer flags and corpus folders.
// Built normally (`swift build --product widash-fuzz`), it is a replay driver: it runs the given
// inputs through a target once each, with Swift's own backtraces, to debug a crash input.

/// One fuzz input: runs the selected target on it. Always returns 0 (libFuzzer reserves -1 for
/// "do not add to the corpus"); a failed invariant aborts, which libFuzzer records as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    activeTarget.run(bytes)
    return 0
}

/// The target for this process, chosen once from `WIDASH_FUZZ_TARGET`, `--target NAME`, or the
/// folder name of the first input path; nil when none of them names a target.
let activeSelection: FuzzTarget? = FuzzTarget.select(environment: ProcessInfo.processInfo.environment,
                                                    arguments: Array(CommandLine.arguments.dropFirst()))

/// `activeSelection`, known to be set: `main` exits with a usage message before any input runs otherwise.
var activeTarget: FuzzTarget { activeSelection ?? .jwt }

/// Prints the usage and exits with status 2 when no target was named.
func requireTarget() {
    guard activeSelection == nil else { return }
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    printError("""
        widash-fuzz: no fuzz target selected.
        Set WIDASH_FUZZ_TARGET to one of: \(names)
        (or pass --target NAME, or name the corpus folder after the target), e.g.
          WIDASH_FUZZ_TARGET=jwt widash-fuzz -max_total_time=60 corpus/jwt
        See fuzz.sh and README "Fuzzing".

        """)
    exit(2)
}

#if WIDASH_FUZZ
/// libFuzzer's driver (compiler-rt FuzzerDriver.cpp): `int LLVMFuzzerRunDriver(int *argc, char ***argv,
/// int (*cb)(const uint8_t *, size_t))`. Declared here because the package has no C shim for it; all
/// arguments are pointers or plain integers, passed identically by the Swift and C conventions.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
struct FuzzDriver {
    static func main() {
        requireTarget()
        printError("widash-fuzz: target \(activeTarget.rawValue)\n")
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = llvmFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
        exit(status)
    }
}
#else
@main
struct ReplayDriver {
    static func main() {
        let paths = ReplayInputs.paths(in: Array(CommandLine.arguments.dropFirst()))
        guard !paths.isEmpty else {
            printError("usage: widash-fuzz [--target NAME] FILE|FOLDER...  (replays inputs; see fuzz.sh to fuzz)\n")
            exit(2)
        }
        requireTarget()
        var count = 0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("widash-fuzz: cannot read \(path); check the path and its permissions\n")
                exit(2)
            }
            activeTarget.run(data)
            count += 1
        }
        print("widash-fuzz: \(activeTarget.rawValue): \(count) input(s) ran without a crash")
    }
}
#endif

// libFuzzer entry point; see README "Fuzzing". Built with -DWIDASH_FUZZ -sanitize=fuzzer, libFuzzer
// supplies main; otherwise this is a replay driver with its own main.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }

#if !WIDASH_FUZZ
@main
struct ReplayDriver {
    static func main() {}
}
#endif

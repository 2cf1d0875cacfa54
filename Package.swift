// swift-tools-version:6.0
import PackageDescription

// Layering (see README "Architecture"): only WidashHTTP touches libcurl (CCurl), only the
// WidashTUI backend touches ncurses (CNCurses); WidashCore is plain values and pure functions.
// Fuzz build only (fuzz.sh sets WIDASH_FUZZ=1; unset, the package is unchanged): libFuzzer coverage and
// AddressSanitizer go into widash's own modules, not into the dependencies, whose objects then match the
// normal debug build's and are reused (CI's fuzz smoke run recompiles only widash's modules).
let fuzzing = Context.environment["WIDASH_FUZZ"] == "1"
let fuzzFlags = ["-sanitize=fuzzer,address"]
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)] + (fuzzing ? [.unsafeFlags(fuzzFlags)] : [])

let package = Package(
    name: "widash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "widash", targets: ["widash"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),

        .target(name: "WidashHTTP", dependencies: ["CCurl",
            .product(name: "Crypto", package: "swift-crypto"),  // SHA-1 of the WebSocket accept key (RFC 6455 §4.2.2)
        ], swiftSettings: strict),
        .target(name: "WidashCore", dependencies: [
            .product(name: "JWTKit", package: "jwt-kit"),
        ], swiftSettings: strict),
        // A selective, allocation-light decoder for Kubernetes list pages and watch events: reads only
        // the fields widash needs (Foundation's JSONDecoder materialises everything; too slow at 50 000 pods).
        .target(name: "WidashKubeJSON", dependencies: ["WidashCore"], swiftSettings: strict),
        // Issue #17: the same selective decoding from Kubernetes' protobuf encoding (half the bytes,
        // twice as fast as WidashKubeJSON, `widash-bench decode`): pod and service-account lists are
        // asked for in protobuf, JSON being the fallback. Shares WidashKubeJSON's list page type.
        .target(name: "WidashKubeProtobuf", dependencies: ["WidashCore", "WidashKubeJSON"], swiftSettings: strict),
        .target(name: "WidashKube", dependencies: [
            "WidashHTTP", "WidashCore", "WidashKubeJSON", "WidashKubeProtobuf",
            .product(name: "Yams", package: "Yams"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "WidashCloud", dependencies: [
            "WidashHTTP", "WidashCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "WidashTrace", dependencies: [
            "WidashCore", "WidashCloud", "WidashHTTP",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The sandbox: a kit with the service contract and the demo's cloud-side facts, one target per
        // emulated cloud (so each compiles on its own), and the server that hosts them with the
        // Kubernetes API.
        .target(name: "WidashSandboxKit", dependencies: [
            "WidashHTTP",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "WidashSandboxAzure", dependencies: [
            "WidashSandboxKit", "WidashHTTP",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "WidashSandboxAWS", dependencies: [
            "WidashSandboxKit",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "WidashSandboxGCP", dependencies: ["WidashSandboxKit"], swiftSettings: strict),
        .target(name: "WidashSandbox", dependencies: [
            "WidashHTTP", "WidashSandboxKit", "WidashSandboxAzure", "WidashSandboxAWS", "WidashSandboxGCP",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
        ], swiftSettings: strict),
        // The service layer the CLI and the dashboard share: a session on one cluster (inventory,
        // list+watch, trace, test tokens, doctor), with read-only mode enforced here.
        // The configuration file lives here too, so both front ends read it the same way.
        .target(name: "WidashService", dependencies: [
            "WidashCore", "WidashKube", "WidashCloud", "WidashTrace", "WidashHTTP",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        .target(name: "WidashTUI", dependencies: [
            "CNCurses", "WidashCore", "WidashHTTP", "WidashTrace", "WidashService",
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        .executableTarget(name: "widash", dependencies: [
            "WidashCore", "WidashKube", "WidashSandbox", "WidashTUI", "WidashHTTP", "WidashService",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),

        // Benchmarks (issue "Scale and speed"): release build, side by side with kubectl and curl.
        .executableTarget(name: "widash-bench", dependencies: [
            "WidashCore", "WidashKube", "WidashKubeJSON", "WidashKubeProtobuf", "WidashHTTP", "WidashSandbox", "WidashSandboxKit", "WidashTUI", "WidashService",
            "WidashCloud",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // libFuzzer targets (README "Fuzzing"): fuzz.sh builds them with WIDASH_FUZZ=1 (above), which also
        // links libFuzzer and compiles the fuzzing `@main` (WIDASH_FUZZ); without it, a replay driver.
        .executableTarget(name: "widash-fuzz", dependencies: [
            "WidashCore", "WidashKube", "WidashKubeJSON", "WidashCloud", "WidashHTTP",
        ], swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])] + (fuzzing ? [.define("WIDASH_FUZZ")] : []),
        linkerSettings: fuzzing ? [.unsafeFlags(fuzzFlags)] : []),

        // What every test target shares about its judges (kubectl, Python peers, tmux, curl, the
        // reference data): found in one place, and under CI=true a missing one fails the test.
        .target(name: "WidashTestPeers", path: "Tests/WidashTestPeers", swiftSettings: strict),
        .testTarget(name: "WidashKubeJSONTests", dependencies: ["WidashKubeJSON", "WidashCore"], swiftSettings: strict),
        .testTarget(name: "WidashKubeProtobufTests", dependencies: ["WidashKubeProtobuf", "WidashKubeJSON", "WidashCore"],
                    exclude: ["Fixtures"], swiftSettings: strict),  // fixtures read by #filePath
        .testTarget(name: "WidashHTTPTests", dependencies: ["WidashHTTP", "CCurl",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .testTarget(name: "WidashCoreTests", dependencies: ["WidashCore",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ], swiftSettings: strict),
        .testTarget(name: "WidashKubeTests", dependencies: ["WidashKube", "WidashHTTP", "WidashCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .testTarget(name: "WidashCloudTests", dependencies: ["WidashCloud", "WidashHTTP", "WidashCore", "WidashTestPeers"], swiftSettings: strict),
        .testTarget(name: "WidashTraceTests", dependencies: ["WidashTrace", "WidashCore", "WidashCloud", "WidashHTTP"], swiftSettings: strict),
        .testTarget(name: "WidashSandboxTests", dependencies: ["WidashSandbox", "WidashCore", "WidashTestPeers", "WidashKubeProtobuf", "WidashKubeJSON"], swiftSettings: strict),
        .testTarget(name: "WidashSandboxAzureTests", dependencies: ["WidashSandbox", "WidashSandboxAzure", "WidashSandboxKit", "WidashHTTP",
            "WidashTestPeers", .product(name: "JWTKit", package: "jwt-kit"),
        ], swiftSettings: strict),
        .testTarget(name: "WidashSandboxAWSTests", dependencies: ["WidashSandbox", "WidashSandboxAWS", "WidashSandboxGCP", "WidashSandboxKit",
            "WidashHTTP", "WidashTestPeers", .product(name: "JWTKit", package: "jwt-kit"),
        ], swiftSettings: strict),
        .testTarget(name: "WidashTUITests", dependencies: ["WidashTUI", "WidashCore", "WidashService", "WidashSandbox", "WidashHTTP"],
            swiftSettings: strict),
        .testTarget(name: "WidashServiceTests", dependencies: ["WidashService", "WidashSandbox", "WidashKube", "WidashHTTP", "WidashCore",
            .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["WidashSandbox", "WidashSandboxKit", "WidashHTTP", "WidashKube", "WidashCore",
            "WidashTestPeers"], swiftSettings: strict),
    ]
)

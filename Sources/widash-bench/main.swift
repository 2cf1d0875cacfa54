import ArgumentParser
import Foundation

// widash-bench: measurements for issue "Scale and speed", run on a release build:
//
//   swift build -c release --product widash-bench
//   .build/release/widash-bench decode --pods 50000 --service-accounts 10000
//   .build/release/widash-bench load      # (a)+(e): inventory load next to kubectl and curl
//   .build/release/widash-bench watch     # (d): watch events applied per second
//   .build/release/widash-bench audit     # the trust audit of the scale scenario (cloud calls, botocore, keys)
//
// Each measurement runs in a fresh child process (this executable, re-run with a hidden
// subcommand) so that one run's heap and peak RSS do not colour the next; runs alternate between
// the contenders and the table reports medians.
//
// The end-to-end measurements of the issue start the sandbox's scale scenario in this process:
// `load` (full inventory load next to kubectl and curl; LoadBenchmark.swift), `watch` (events
// per second; WatchBenchmark.swift) and `frames` (first frame, keystroke latency). They reuse
// `BenchTable`, `Format`, `ProcessStats`, `ChildRunner` and the child-process pattern.

struct WidashBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "widash-bench",
        abstract: "Benchmarks for widash at cluster scale (use a release build).",
        subcommands: [DecodeBenchmark.self, LoadBenchmark.self, WatchBenchmark.self, FramesBenchmark.self, AuditBenchmark.self, FleetBenchmark.self, WritePages.self,
                      MeasureDecode.self, MeasureLoad.self, MeasureFrames.self],
        defaultSubcommand: DecodeBenchmark.self)
}

/// Options that describe the generated cluster.
struct GeneratedClusterOptions: ParsableArguments {
    @Option(help: "Pods in the generated pod list.")
    var pods = 50_000
    @Option(help: "Service accounts in the generated list.")
    var serviceAccounts = 10_000
    @Option(help: "Namespaces the objects spread over.")
    var namespaces = 1_000
    @Option(help: "Items per list page (the API's `limit`).")
    var pageSize = 500

    var cluster: GeneratedCluster {
        GeneratedCluster(namespaces: max(1, namespaces), pods: max(0, pods), serviceAccounts: max(0, serviceAccounts),
                         pageSize: max(1, pageSize))
    }

    /// Generates the page files into `directory`, or reuses them when they are there already.
    func materialise(in directory: String) throws -> PageFiles {
        let files = PageFiles(directory: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = directory + "/pages.txt"
        let description = "pods=\(pods) serviceAccounts=\(serviceAccounts) namespaces=\(namespaces) pageSize=\(pageSize) v1"
        if (try? String(contentsOfFile: stamp, encoding: .utf8)) == description { return files }
        let start = ProcessStats.monotonicSeconds()
        try PageFile.write(cluster.podPages(), to: files.podPages)
        try PageFile.write(cluster.serviceAccountPages(), to: files.serviceAccountPages)
        try description.write(toFile: stamp, atomically: true, encoding: .utf8)
        print("generated pages in \(Format.seconds(ProcessStats.monotonicSeconds() - start)): \(directory)")
        return files
    }
}

/// Decoding a full inventory's list pages: JSONDecoder against the selective decoder.
struct DecodeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode pod and service-account list pages: JSONDecoder vs WidashKubeJSON vs WidashKubeProtobuf (time, peak RSS, bytes per pod).")

    @OptionGroup var clusterOptions: GeneratedClusterOptions
    @Option(help: "Measurements per decoder (alternating; the median is reported).")
    var runs = 3
    @Option(help: "Directory for the generated page files (reused when the sizes match).")
    var dataDirectory: String?
    @Flag(help: "Skip JSONDecoder (it takes about 15× longer).")
    var skipFoundation = false

    func run() throws {
        let directory = dataDirectory ?? NSTemporaryDirectory() + "widash-bench-\(clusterOptions.pods)-\(clusterOptions.serviceAccounts)"
        let files = try clusterOptions.materialise(in: directory)
        let sizes = [files.podPages, files.serviceAccountPages].map {
            ((try? FileManager.default.attributesOfItem(atPath: $0)[.size]) as? Int) ?? 0
        }
        print("pods: \(clusterOptions.pods) in \(Format.bytes(sizes[0])) (\(sizes[0] / max(1, clusterOptions.pods)) B/pod), "
              + "service accounts: \(clusterOptions.serviceAccounts) in \(Format.bytes(sizes[1])), page size \(clusterOptions.pageSize)")
        // Issue #17: the same pages in Kubernetes' protobuf encoding.
        try files.materialiseProtobuf()
        let protobufSizes = [files.protobufPodPages, files.protobufServiceAccountPages].map {
            ((try? FileManager.default.attributesOfItem(atPath: $0)[.size]) as? Int) ?? 0
        }
        print("protobuf: pods in \(Format.bytes(protobufSizes[0])) (\(protobufSizes[0] / max(1, clusterOptions.pods)) B/pod), "
              + "service accounts in \(Format.bytes(protobufSizes[1]))")
        let decoders: [DecoderKind] = skipFoundation ? [.widash, .protobuf] : [.jsonDecoder, .widash, .protobuf]
        var results: [DecoderKind: [DecodeMeasurement]] = [:]
        for run in 0..<max(1, runs) {
            // Alternate the order so that neither decoder always runs on a warmer machine.
            for decoder in run % 2 == 0 ? decoders : decoders.reversed() {
                let measurement = try Self.runChild(decoder, directory: directory, pageSize: clusterOptions.pageSize)
                print("  run \(run + 1) \(decoder.rawValue): \(Format.seconds(measurement.decodeSeconds)), "
                      + "peak \(Format.bytes(measurement.peakRSSBytes))")
                results[decoder, default: []].append(measurement)
            }
        }
        print()
        print(Self.table(results, decoders: decoders))
        let digests = Set(results.values.flatMap { $0.map(\.digest) })
        if digests.count == 1, let digest = digests.first {
            print("\nconsistency: every run of every decoder decoded the same inventory (\(digest))")
        } else {
            throw BenchError("consistency check failed: the decoders disagree: \(digests.sorted())")
        }
    }

    static func table(_ results: [DecoderKind: [DecodeMeasurement]], decoders: [DecoderKind]) -> String {
        var table = BenchTable(["decoder", "decode (median)", "MB/s", "page B/pod", "peak RSS", "held/pod", "speed vs JSONDecoder",
                                "memory vs JSONDecoder", "speed vs widash"])
        let baseline = results[.jsonDecoder].map { runs in
            (Format.median(runs.map(\.decodeSeconds)), Format.median(runs.map { Double($0.heldPodBytes) / Double(max(1, $0.pods)) }))
        }
        let selective = results[.widash].map { Format.median($0.map(\.decodeSeconds)) }
        for decoder in decoders {
            guard let runs = results[decoder], let first = runs.first else { continue }
            let seconds = Format.median(runs.map(\.decodeSeconds))
            let held = Format.median(runs.map { Double($0.heldPodBytes) / Double(max(1, $0.pods)) })
            let peak = Format.median(runs.map { Double($0.peakRSSBytes) })
            let speed = baseline.map { Format.ratio($0.0 / max(seconds, 1e-9)) } ?? "-"
            let memory = baseline.map { Format.ratio($0.1 / max(held, 1)) } ?? "-"
            table.add([decoder.rawValue, Format.seconds(seconds),
                       String(format: "%.0f", Double(first.bytes) / max(seconds, 1e-9) / 1e6),
                       "\(first.podBytes / max(1, first.pods))", Format.bytes(Int(peak)), "\(Int(held)) B", speed, memory,
                       selective.map { Format.ratio($0 / max(seconds, 1e-9)) } ?? "-"])
        }
        return table.render()
    }

    /// Runs one measurement in a child process and reads its JSON result.
    static func runChild(_ decoder: DecoderKind, directory: String, pageSize: Int) throws -> DecodeMeasurement {
        try ChildRunner.measurement(DecodeMeasurement.self, [
            "measure-decode", "--decoder", decoder.rawValue, "--data-directory", directory, "--page-size", String(pageSize),
        ], what: "\(decoder.rawValue) measurement").value
    }
}

/// Writes the generated pages, e.g. for serving with a static HTTP server next to curl.
struct WritePages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages", abstract: "Write generated pod and service-account list pages to a directory.")

    @OptionGroup var clusterOptions: GeneratedClusterOptions
    @Argument(help: "Directory to write pods.pages and serviceaccounts.pages to (8-byte length + page, repeated).")
    var directory: String

    func run() throws {
        let files = try clusterOptions.materialise(in: directory)
        print(files.podPages)
        print(files.serviceAccountPages)
    }
}

/// The child side of `decode`: one decoder, one measurement, one JSON line on stdout.
struct MeasureDecode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "measure-decode", shouldDisplay: false)

    @Option var decoder: String
    @Option var dataDirectory: String
    @Option var pageSize = 500

    func run() throws {
        guard let kind = DecoderKind(rawValue: decoder) else {
            throw ValidationError("unknown decoder \(decoder); use one of \(DecoderKind.allCases.map(\.rawValue))")
        }
        let measurement = try DecodeMeasurer.measure(kind, pages: PageFiles(directory: dataDirectory, pageSizeHint: pageSize))
        let encoded = try JSONEncoder().encode(measurement)
        print(String(decoding: encoded, as: UTF8.self))
    }
}

// In main.swift's top-level code `await WidashBench.main()` resolves to the synchronous
// ParsableCommand.main(), which cannot run asynchronous subcommands; an async function picks the
// async overloads.
func runBench() async {
    await WidashBench.main()
}

await runBench()

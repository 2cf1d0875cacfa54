import Foundation
import WidashCore
import WidashKube
import WidashKubeJSON

/// The watch stream: line splitting across arbitrary chunk boundaries, each line through both event
/// decoders, and the whole input as a list page through the selective decoder.
///
/// Invariant: the splitter yields the same lines however the stream is chunked, and the same as a
/// plain split on `\n` that drops blank lines. With `WIDASH_FUZZ_DIFF=1`, the selective decoder
/// must also agree with `JSONDecoder` whenever both accept a line.
enum WatchFuzz {
    static let compareDecoders = ProcessInfo.processInfo.environment["WIDASH_FUZZ_DIFF"] == "1"
    static let maxDecodedLines = 64

    static func run(_ data: Data) {
        let lines = checkSplitter(data)
        for line in lines.prefix(maxDecodedLines) { decode(line) }
        decodeAsList(data)
    }

    /// Splits `data` whole, then in chunks whose sizes come from the input itself, and compares both
    /// with a reference split.
    static func checkSplitter(_ data: Data) -> [Data] {
        let expected = referenceLines(data)
        var whole = WatchLineSplitter()
        var wholeLines = (try? whole.append(data)) ?? []
        if let last = whole.finish() { wholeLines.append(last) }
        fuzzExpect(wholeLines == expected, "splitter (one chunk) gave \(wholeLines.count) lines, expected \(expected.count)")

        var chunked = WatchLineSplitter()
        var chunkedLines: [Data] = []
        var offset = data.startIndex
        var seed = UInt32(data.first ?? 7) &+ UInt32(truncatingIfNeeded: data.count)
        while offset < data.endIndex {
            seed = seed &* 1_103_515_245 &+ 12345
            let size = Int((seed >> 16) % 17)   // 0…16 bytes: empty chunks happen too
            let end = data.index(offset, offsetBy: size, limitedBy: data.endIndex) ?? data.endIndex
            chunkedLines += (try? chunked.append(data[offset..<end])) ?? []
            offset = end
        }
        if let last = chunked.finish() { chunkedLines.append(last) }
        fuzzExpect(chunkedLines == expected, "splitter (small chunks) gave \(chunkedLines.count) lines, expected \(expected.count)")

        // A small limit: a long unterminated line must be refused, never buffered without bound;
        // anything shorter must be accepted.
        var limited = WatchLineSplitter(maxLineBytes: 64)
        let refused = (try? limited.append(data)) == nil
        let lastNewline = data.lastIndex(of: 0x0A).map { data.distance(from: data.startIndex, to: $0) + 1 } ?? 0
        let tail = data.count - lastNewline
        fuzzExpect(refused == (tail > 64), "maxLineBytes 64: refused=\(refused) for an unterminated tail of \(tail) bytes")

        return expected
    }

    /// Lines between `\n`s that contain something besides spaces, tabs and carriage returns.
    static func referenceLines(_ data: Data) -> [Data] {
        data.split(separator: 0x0A, omittingEmptySubsequences: false)
            .filter { $0.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 } }
            .map { Data($0) }
    }

    static func decode(_ line: Data) {
        let foundation = try? WatchEventDecoder.decode(line, as: Pod.self)
        _ = try? WatchEventDecoder.decode(line, as: ServiceAccount.self)
        let selective = try? KubeListDecoder.decodeWatchEvent(line: line, as: Pod.self)
        _ = try? KubeListDecoder.decodeWatchEvent(line: line, as: ServiceAccount.self)
        _ = try? KubeListDecoder.decodeWatchEvent(line: line, as: AzureIdentityBinding.self)
        if compareDecoders, let foundation, let selective {
            fuzzExpect(agree(foundation, selective), "decoders disagree on a watch line")
        }
    }

    static func agree(_ a: WatchEvent<Pod>, _ b: WatchEventRecord<Pod>) -> Bool {
        switch (a, b) {
        case (.added(let x), .added(let y)), (.modified(let x), .modified(let y)), (.deleted(let x), .deleted(let y)):
            return x == y
        case (.bookmark(let x), .bookmark(let y)):
            return x == y
        case (.error(let x), .error(let y)):
            return x.code == y.code && x.reason == y.reason
        default:
            return false
        }
    }

    static func decodeAsList(_ data: Data) {
        let interner = KubeInternTable(maxEntries: 256)
        _ = try? KubeListDecoder.decodePodList(data, interner: interner)
        _ = try? KubeListDecoder.decodeServiceAccountList(data, interner: interner)
        _ = try? KubeListDecoder.decodeMutatingWebhookConfigurationList(data)
        _ = try? KubeListDecoder.decodeAzureIdentityList(data)
        _ = try? KubeListDecoder.peekListMetadata(data)
        _ = try? KubeListDecoder.decodeObject(data, as: Pod.self, limits: KubeJSONLimits(maxDepth: 32, maxStringBytes: 4096))
    }
}

import Foundation

/// A file of list pages, each framed by its length (8 bytes, little endian), so that a
/// measurement reads one page at a time as a client receives them.
enum PageFile {
    static func write(_ pages: [[UInt8]], to path: String) throws {
        var out = Data()
        out.reserveCapacity(pages.reduce(0) { $0 + $1.count + 8 })
        for page in pages {
            withUnsafeBytes(of: UInt64(page.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: page)
        }
        try out.write(to: URL(fileURLWithPath: path))
    }

    /// Calls `body` with each page in turn; only one page is in memory at a time.
    static func forEachPage(at path: String, _ body: (Data) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BenchError("cannot open page file \(path)") }
        defer { try? handle.close() }
        while let header = try handle.read(upToCount: 8), header.count == 8 {
            let length = header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard length < 1 << 32, let page = try handle.read(upToCount: Int(length)), page.count == Int(length) else {
                throw BenchError("page file \(path) is truncated; delete it and run again")
            }
            try body(page)
        }
    }

    /// All pages, for measurements that need them up front (the pipelined decode).
    static func readAll(at path: String) throws -> [Data] {
        var pages: [Data] = []
        try forEachPage(at: path) { pages.append($0) }
        return pages
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

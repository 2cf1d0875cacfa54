/// Works out the JSON path (`$.items[3].spec.containers[0].name`) of a byte offset, for error
/// messages. Runs only after a decode failed: it rescans the prefix leniently (the decoder has
/// already judged it), iteratively, and keeps at most `maxFrames` levels.
enum JSONPathLocator {
    private enum Frame {
        case object(key: String?, awaitingKey: Bool)
        case array(index: Int)
    }

    static func path(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int, maxFrames: Int = 600) -> String {
        var frames: [Frame] = []
        var overflow = 0
        var i = 0
        let stop = min(offset, bytes.count)
        while i < stop {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "{"):
                if frames.count < maxFrames { frames.append(.object(key: nil, awaitingKey: true)) } else { overflow += 1 }
            case UInt8(ascii: "["):
                if frames.count < maxFrames { frames.append(.array(index: 0)) } else { overflow += 1 }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if overflow > 0 { overflow -= 1 } else if !frames.isEmpty { frames.removeLast() }
            case UInt8(ascii: ","):
                if overflow == 0, let last = frames.last {
                    switch last {
                    case .array(let index): frames[frames.count - 1] = .array(index: index + 1)
                    case .object: frames[frames.count - 1] = .object(key: nil, awaitingKey: true)
                    }
                }
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                if overflow == 0, case .object(_, true)? = frames.last {
                    let nameEnd = min(j, bytes.count)
                    let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<max(i + 1, nameEnd)]), as: UTF8.self)
                    frames[frames.count - 1] = .object(key: name, awaitingKey: false)
                }
                // An offset inside a string belongs to that string's member.
                if j >= stop { i = stop; continue }
                i = j
            default:
                break
            }
            i += 1
        }
        var path = "$"
        for frame in frames {
            switch frame {
            case .object(let key?, _): path += Self.isPlain(key) ? ".\(key)" : "[\"\(key)\"]"
            case .object(nil, _): break
            case .array(let index): path += "[\(index)]"
            }
        }
        if overflow > 0 { path += "…" }
        return path
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
    }
}

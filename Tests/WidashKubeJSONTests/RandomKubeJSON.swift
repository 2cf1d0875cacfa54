import Foundation

/// A JSON tree whose serialisation the tests control (member order, escapes, whitespace), to
/// produce varied but valid Kubernetes JSON for equivalence tests.
indirect enum TestJSON {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TestJSON])
    case object([(String, TestJSON)])

    func serialized(_ rng: inout SeededRandom, style: Style) -> String {
        var out = ""
        write(to: &out, rng: &rng, style: style)
        return out
    }

    struct Style {
        var shuffleKeys = true
        var escapeProbability = 0.1
        var whitespace = false
    }

    private func write(to out: inout String, rng: inout SeededRandom, style: Style) {
        let space = style.whitespace && rng.chance(0.3) ? " \n\t" : ""
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += String(value)
        case .string(let value): Self.writeString(value, to: &out, rng: &rng, style: style)
        case .array(let items):
            out += "[" + space
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," + space }
                item.write(to: &out, rng: &rng, style: style)
            }
            out += space + "]"
        case .object(let members):
            var ordered = members
            if style.shuffleKeys { rng.shuffle(&ordered) }
            out += "{" + space
            for (index, member) in ordered.enumerated() {
                if index > 0 { out += "," + space }
                Self.writeString(member.0, to: &out, rng: &rng, style: style)
                out += space + ":" + space
                member.1.write(to: &out, rng: &rng, style: style)
            }
            out += space + "}"
        }
    }

    /// Writes a JSON string, escaping what must be escaped and, at random, other characters too
    /// (as `\uXXXX`, with surrogate pairs beyond the BMP, or the short forms).
    static func writeString(_ value: String, to out: inout String, rng: inout SeededRandom, style: Style) {
        out += "\""
        for scalar in value.unicodeScalars {
            let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
            if mustEscape || rng.chance(style.escapeProbability) {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "/" where rng.chance(0.5): out += "\\/"
                default:
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16, uppercase: rng.chance(0.5))
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// SplitMix64: deterministic, so a failing case can be reproduced from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    mutating func shuffle<T>(_ items: inout [T]) { items.shuffle(using: &self) }
}

/// Generates Kubernetes-shaped objects with the fields widash reads, fields it ignores, nulls,
/// omitted optionals, unicode and random extra members.
struct KubeObjectGenerator {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    static let words = ["web", "api", "shop", "café", "naïve-ß", "日本語", "emoji-😀", "quote\"d", "back\\slash",
                        "slash/ed", "tab\tbed", "line\nbreak", "long-name-that-is-longer-than-fifteen-bytes", "x", ""]

    mutating func word() -> String {
        rng.chance(0.7) ? rng.pick(Self.words.filter { !$0.isEmpty }) + "-\(rng.int(0...30))" : rng.pick(Self.words)
    }

    /// Random values the decoder must skip: nested objects, arrays, numbers, escapes.
    mutating func junk(depth: Int = 0) -> TestJSON {
        switch rng.int(0...(depth > 3 ? 4 : 6)) {
        case 0: return .null
        case 1: return .bool(rng.chance(0.5))
        case 2: return .int(rng.int(-1_000_000...1_000_000))
        case 3: return .double(Double(rng.int(-1000...1000)) / 7.0)
        case 4: return .string(word())
        case 5: return .array((0..<rng.int(0...3)).map { _ in junk(depth: depth + 1) })
        default: return .object((0..<rng.int(0...3)).map { i in ("junk\(i)", junk(depth: depth + 1)) })
        }
    }

    /// An object with the given members, optional ones sometimes omitted or null, plus extras.
    mutating func object(_ members: [(String, TestJSON?)]) -> TestJSON {
        var out: [(String, TestJSON)] = []
        for (key, value) in members {
            if let value { out.append((key, value)) }
        }
        for i in 0..<rng.int(0...2) { out.append(("extra\(i)\(word())", junk())) }
        return .object(out)
    }

    /// An optional member: present, null or absent.
    mutating func optional(_ make: (inout KubeObjectGenerator) -> TestJSON) -> TestJSON? {
        switch rng.int(0...5) {
        case 0: return nil
        case 1: return .null
        default: return make(&self)
        }
    }

    mutating func stringMap() -> TestJSON {
        var seen = Set<String>()
        var members: [(String, TestJSON)] = []
        for _ in 0..<rng.int(0...5) {
            let key = word()
            if seen.insert(key).inserted { members.append((key, .string(word()))) }
        }
        return .object(members)
    }

    mutating func metadata(namespaced: Bool) -> TestJSON {
        object([
            ("name", .string(word())),
            ("namespace", namespaced ? optional { .string($0.word()) } : nil),
            ("uid", optional { _ in .string(UUID().uuidString.lowercased()) }),
            ("resourceVersion", optional { .string(String($0.rng.int(1...9_999_999))) }),
            ("creationTimestamp", optional { _ in .string("2025-01-15T10:23:45Z") }),
            ("labels", optional { $0.stringMap() }),
            ("annotations", optional { $0.stringMap() }),
            ("ownerReferences", optional { g in
                .array((0..<g.rng.int(0...2)).map { _ in
                    g.object([("kind", .string(g.word())), ("name", .string(g.word())), ("apiVersion", .string("apps/v1")),
                              ("controller", .bool(true))])
                })
            }),
            ("managedFields", optional { $0.junk() }),
        ])
    }

    mutating func container() -> TestJSON {
        object([
            ("name", .string(word())),
            ("image", optional { .string("registry.example.com/" + $0.word() + ":1.0") }),
            ("env", optional { g in
                .array((0..<g.rng.int(0...4)).map { _ in
                    g.object([("name", .string(g.word())), ("value", g.optional { .string($0.word()) }),
                              ("valueFrom", g.rng.chance(0.3) ? .object([("fieldRef", .object([("fieldPath", .string("metadata.name"))]))]) : nil)])
                })
            }),
            ("volumeMounts", optional { g in
                .array((0..<g.rng.int(0...3)).map { _ in
                    g.object([("name", .string(g.word())), ("mountPath", .string("/var/" + g.word())),
                              ("readOnly", g.optional { .bool($0.rng.chance(0.5)) })])
                })
            }),
            ("resources", optional { $0.junk() }),
        ])
    }

    mutating func pod() -> TestJSON {
        let volumes: TestJSON? = optional { g in
            .array((0..<g.rng.int(0...3)).map { _ in
                g.object([
                    ("name", .string(g.word())),
                    ("projected", g.optional { g in
                        g.object([("sources", g.optional { g in
                            .array((0..<g.rng.int(0...3)).map { _ in
                                g.object([("serviceAccountToken", g.optional { g in
                                    g.object([("audience", g.optional { .string($0.word()) }),
                                              ("expirationSeconds", g.optional { .int($0.rng.int(600...86400)) }),
                                              ("path", .string(g.word()))])
                                }), ("configMap", g.optional { $0.junk() })])
                            })
                        }), ("defaultMode", .int(420))])
                    }),
                ])
            })
        }
        return object([
            ("apiVersion", .string("v1")),
            ("kind", .string("Pod")),
            ("metadata", metadata(namespaced: true)),
            ("spec", object([
                ("serviceAccountName", optional { .string($0.word()) }),
                ("nodeName", optional { .string($0.word()) }),
                ("containers", .array((0..<rng.int(0...3)).map { _ in container() })),
                ("initContainers", optional { g in .array((0..<g.rng.int(0...2)).map { _ in g.container() }) }),
                ("volumes", volumes),
                ("tolerations", optional { $0.junk() }),
            ])),
            ("status", optional { g in
                g.object([
                    ("phase", g.optional { .string($0.pick(["Running", "Pending", "Failed"])) }),
                    ("startTime", g.optional { _ in .string("2025-01-15T10:23:47Z") }),
                    ("conditions", g.optional { $0.junk() }),
                    ("containerStatuses", g.optional { g in
                        .array((0..<g.rng.int(0...2)).map { _ in
                            g.object([("name", .string(g.word())), ("ready", .bool(g.rng.chance(0.5))),
                                      ("restartCount", g.optional { .int($0.rng.int(0...100)) }),
                                      ("state", .object([("running", .object([]))]))])
                        })
                    }),
                ])
            }),
        ])
    }

    mutating func pick(_ items: [String]) -> String { rng.pick(items) }

    mutating func serviceAccount() -> TestJSON {
        object([("metadata", metadata(namespaced: true)), ("secrets", optional { $0.junk() }),
                ("automountServiceAccountToken", optional { .bool($0.rng.chance(0.5)) })])
    }

    mutating func namespace() -> TestJSON {
        object([("metadata", metadata(namespaced: false)), ("spec", optional { $0.junk() }), ("status", optional { $0.junk() })])
    }

    mutating func webhookConfiguration() -> TestJSON {
        object([
            ("metadata", metadata(namespaced: false)),
            ("webhooks", optional { g in
                .array((0..<g.rng.int(0...3)).map { _ in
                    g.object([("name", .string(g.word())), ("failurePolicy", g.optional { .string($0.pick(["Fail", "Ignore"])) }),
                              ("clientConfig", g.junk()), ("rules", g.junk())])
                })
            }),
        ])
    }

    mutating func azureIdentity() -> TestJSON {
        object([
            ("metadata", metadata(namespaced: true)),
            ("spec", object([("type", optional { .int($0.rng.int(0...1)) }), ("resourceID", optional { .string($0.word()) }),
                             ("clientID", optional { _ in .string(UUID().uuidString) })])),
        ])
    }

    mutating func azureIdentityBinding() -> TestJSON {
        object([
            ("metadata", metadata(namespaced: true)),
            ("spec", object([("azureIdentity", .string(word())), ("selector", .string(word()))])),
        ])
    }

    /// A list response around the items, with list metadata sometimes absent, null or partial.
    mutating func list(kind: String, items: [TestJSON]) -> TestJSON {
        object([
            ("kind", .string(kind)),
            ("apiVersion", .string("v1")),
            ("metadata", optional { g in
                g.object([("resourceVersion", g.optional { .string(String($0.rng.int(1...999_999))) }),
                          ("continue", g.optional { .string($0.word()) }),
                          ("remainingItemCount", g.optional { .int($0.rng.int(0...5000)) })])
            }),
            ("items", rng.chance(0.05) ? .null : .array(items)),
        ])
    }
}

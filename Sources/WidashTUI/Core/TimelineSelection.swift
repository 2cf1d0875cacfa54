import Foundation
import WidashCore

/// The pods the token timeline draws, picked when it is opened: an identity's pods, or the rows
/// of the filtered pods table. Bounded, so that a frame never walks a 50 000-pod inventory: each
/// pick remembers where its identity and pod were, and is looked up again by name only when the
/// inventory moved them.
public struct TimelineSelection: Sendable, Hashable {
    /// At most this many pods are drawn (the rest are counted in the title).
    public static let maxPods = 40

    public struct Pick: Sendable, Hashable {
        public var namespace: String
        public var serviceAccount: String
        public var pod: String
        var identityHint: Int
        var podHint: Int
    }

    public var picks: [Pick] = []
    /// What was picked, for the title ("shop/frontend", "the pods table filtered by …").
    public var title = ""
    /// Pods left out by the bound.
    public var omitted = 0

    public init() {}

    /// The pods of the identity at `index` of `inventory.identities`.
    static func identity(at index: Int, in inventory: Inventory) -> TimelineSelection {
        var s = TimelineSelection()
        guard index >= 0, index < inventory.identities.count else { return s }
        let e = inventory.identities[index]
        s.title = e.key
        s.picks = e.pods.prefix(maxPods).enumerated().map { i, p in
            Pick(namespace: e.namespace, serviceAccount: e.name, pod: p.name, identityHint: index, podHint: i)
        }
        s.omitted = max(0, e.pods.count - maxPods)
        return s
    }

    /// The first rows of the (filtered, sorted) pods table.
    static func podRows(_ rows: PodRows, in inventory: Inventory, filter: String) -> TimelineSelection {
        var s = TimelineSelection()
        s.title = filter.isEmpty ? "the pods table" : "the pods table filtered by \(filter)"
        for ref in rows.prefix(maxPods) where ref.identity < inventory.identities.count {
            let e = inventory.identities[ref.identity]
            guard ref.pod < e.pods.count else { continue }
            s.picks.append(Pick(namespace: e.namespace, serviceAccount: e.name, pod: e.pods[ref.pod].name,
                                identityHint: ref.identity, podHint: ref.pod))
        }
        s.omitted = max(0, rows.count - maxPods)
        return s
    }

    /// Each pick's identity and pod in the current inventory; picks that are gone are left out.
    /// Cost: the picks, plus one pass over the identities only when a hint no longer holds.
    func resolve(in inventory: Inventory) -> [(entry: IdentityEntry, pod: PodIdentity)] {
        let ids = inventory.identities
        var moved: [String: Int]?
        var out: [(IdentityEntry, PodIdentity)] = []
        for pick in picks {
            var index: Int?
            if pick.identityHint < ids.count, ids[pick.identityHint].namespace == pick.namespace,
               ids[pick.identityHint].name == pick.serviceAccount {
                index = pick.identityHint
            } else {
                if moved == nil {
                    let wanted = Set(picks.map { "\($0.namespace)/\($0.serviceAccount)" })
                    var found: [String: Int] = [:]
                    for (i, e) in ids.enumerated() where wanted.contains(e.key) { found[e.key] = i }
                    moved = found
                }
                index = moved?["\(pick.namespace)/\(pick.serviceAccount)"]
            }
            guard let i = index else { continue }
            let e = ids[i]
            if pick.podHint < e.pods.count, e.pods[pick.podHint].name == pick.pod {
                out.append((e, e.pods[pick.podHint]))
            } else if let p = e.pods.first(where: { $0.name == pick.pod }) {
                out.append((e, p))
            }
        }
        return out
    }
}

/// When a cloud token expires, read from a trace's step-4 evidence: Entra and Google write
/// `expiresOn`, AWS `expiration` as "<timestamp> (in N s)" (WidashTrace AzureFlow, GCPFlow, AWSFlow).
enum CloudTokenExpiry {
    static func from(step4 evidence: Evidence) -> Date? {
        for key in ["expiresOn", "expiration"] {
            guard let text = evidence[key] else { continue }
            let stamp = text.split(separator: " ").first.map(String.init)
            if let date = TokenClock.parseTimestamp(stamp) { return date }
        }
        return nil
    }
}

import Foundation
import WidashCore

/// Table facts computed off the UI thread for one inventory update, so that applying the update
/// costs the UI a swap, not a pass over 10 000 rows: the executor's inventory task prepares them
/// (patching its previous facts when the update names the changed rows, else computing them all,
/// search texts and every column's sort values included) and the update carries them.
public final class PreparedTableFacts: Hashable, @unchecked Sendable {
    // Safety: immutable after init.
    let facts: TableFacts
    /// Rows changed since the update before (for the brief highlight); nil for the first update.
    let changed: Set<String>?
    /// Columns whose sort order may differ from the previous facts'; nil: any (computed afresh).
    let touched: Set<IdentityColumn>?

    init(facts: TableFacts, changed: Set<String>?, touched: Set<IdentityColumn>?) {
        self.facts = facts
        self.changed = changed
        self.touched = touched
    }

    public static func == (a: PreparedTableFacts, b: PreparedTableFacts) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// Prepares the facts of each update from the previous one's (the executor's inventory task owns it).
struct TableFactsPreparer {
    private var facts: TableFacts?
    private var previous: Inventory?
    /// Whether the last facts were patched from the previous ones (for tests).
    private(set) var patchedLast = false

    mutating func prepare(_ update: InventoryUpdate) -> PreparedTableFacts {
        let inventory = update.inventory
        var next: TableFacts
        var touched: Set<IdentityColumn>?
        // Taken, not copied: the patch then changes the arrays in place.
        if var patched = facts.take(), let keys = update.changedKeys, patched.count == inventory.identities.count,
           let columns = patched.patch(inventory: inventory, generation: 0, changedKeys: keys) {
            next = patched
            touched = columns
        } else {
            next = TableFacts(inventory: inventory, generation: 0)
        }
        patchedLast = touched != nil
        // Once loaded, everything a key could need; while loading (an update every 400 ms with
        // more rows) only the default sort's values, so preparing never slows the load down.
        if update.isComplete { next.prepareAll(inventory: inventory) } else { _ = next.sortValues(for: .namespace, inventory: inventory) }
        var changed: Set<String>?
        if let previous {
            if let keys = update.changedKeys {
                changed = keys
            } else {
                var old: [String: IdentityEntry] = [:]
                for e in previous.identities { old[e.key] = e }
                changed = Set(inventory.identities.filter { old[$0.key] != $0 }.map(\.key))
            }
        }
        facts = next
        previous = inventory
        return PreparedTableFacts(facts: next, changed: changed, touched: touched)
    }
}

import Foundation
import WidashCore
import WidashTUI

/// Keystroke cost inside the process: `update(state, key)` plus rendering the whole screen into a
/// `ScreenBuffer`, i.e. everything widash does per key except the terminal write. Isolates what
/// the dashboard's own code costs from the pseudo-terminal and curses around it.
enum FramesInProcess {
    struct Result: Codable, Sendable {
        /// Seconds per keystroke, by category.
        var seconds: [String: [Double]]
        /// Seconds to apply one complete inventory update and render it.
        var inventoryUpdateSeconds: Double
        var identities: Int
        var pods: Int
    }

    /// Replays `keys` on a dashboard of `width`×`height` showing `inventory`.
    static func measure(inventory: Inventory, keys: [FrameKeystroke], width: Int, height: Int) -> Result {
        var state = AppState(width: width, height: height, now: Date())
        let count = inventory.identities.count
        let start = ProcessStats.monotonicSeconds()
        _ = update(&state, .inventory(InventoryUpdate(inventory: inventory, loaded: count, expected: count)))
        var frame = DashboardView.render(state)
        let inventorySeconds = ProcessStats.monotonicSeconds() - start
        var seconds: [String: [Double]] = [:]
        for keystroke in keys {
            let t0 = ProcessStats.monotonicSeconds()
            _ = update(&state, .key(keystroke.key))
            frame = DashboardView.render(state)
            let t1 = ProcessStats.monotonicSeconds()
            if let category = keystroke.category { seconds[category, default: []].append(t1 - t0) }
        }
        // Keep the last frame alive so that the render cannot be optimised away.
        if frame.width < 0 { print(frame.lines) }
        return Result(seconds: seconds, inventoryUpdateSeconds: inventorySeconds, identities: count,
                      pods: inventory.identities.reduce(0) { $0 + $1.pods.count })
    }
}

/// Percentiles of latency samples.
enum Percentile {
    /// The `p`-th percentile (0…100) by nearest rank; 0 for no samples.
    static func of(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }
}

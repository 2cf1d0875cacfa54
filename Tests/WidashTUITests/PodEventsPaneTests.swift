import XCTest
import WidashCore
@testable import WidashTUI

/// The pods view's events pane: it follows the selected pod's identity once the cursor rests (not
/// one watch per row while `j` is held), shows that pod's and its workloads' events with the
/// FailedCreate diagnosis, and is left out when the terminal is too short for it.
final class PodEventsPaneTests: XCTestCase {
    /// The pods view filtered to shop/backend's pods, cursor on the first.
    private func podsState(height: Int = 30) -> AppState {
        var s = TestSupport.loadedState(width: 100, height: height)
        TestSupport.send(&s, ":pods")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "/backend")
        TestSupport.press(&s, .enter)
        return s
    }

    private func watches(_ commands: [Command]) -> [Command] {
        commands.filter { if case .watchEvents = $0 { return true } else { return false } }
    }

    func testThePaneFollowsTheCursorOnceItRests() {
        var s = podsState()
        XCTAssertNil(s.eventsFollowed, "no watch while the cursor has not rested")
        XCTAssertEqual(watches(update(&s, .tick(TestSupport.now))),
                       [.watchEvents(key: "shop/backend", namespace: "shop", serviceAccount: "backend")])
        XCTAssertEqual(s.eventsFollowed, "shop/backend")
        // Another identity's rows: moving starts nothing, the next tick on a resting cursor does.
        TestSupport.press(&s, .escape)
        TestSupport.send(&s, "/frontend")
        XCTAssertEqual(watches(TestSupport.press(&s, .enter)), [])
        XCTAssertEqual(watches(update(&s, .tick(TestSupport.now))).count, 1)
        XCTAssertEqual(s.eventsFollowed, "shop/frontend")
        // Back to the identities: the watch stops.
        TestSupport.send(&s, ":sa")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.stopEvents])
    }

    func testThePaneShowsTheFailedCreateOfTheSelectedPodsWorkload() {
        var s = podsState()
        _ = update(&s, .tick(TestSupport.now))
        _ = update(&s, .events(key: "shop/backend", update: EventsSnapshotTests.feed))
        let lines = DashboardView.render(s).lines
        let pane = lines.drop { !$0.contains("Events of shop/backend-") }
        XCTAssertFalse(pane.isEmpty, lines.joined(separator: "\n"))
        let text = pane.joined(separator: "\n")
        XCTAssertTrue(text.contains("and its workloads (2)"), text)
        XCTAssertTrue(text.contains("⚠ Warning  FailedCreate  replicaset/backend-6f8b9c7d5  2m ago (x20 over 41m)"), text)
        XCTAssertTrue(text.contains("failed calling webhook"), text)
        XCTAssertTrue(DashboardView.render(s, unicode: false).lines.joined().contains("! Warning  FailedCreate"))
    }

    func testNoPaneWhenTheTerminalIsShort() {
        var s = podsState(height: 24)
        XCTAssertEqual(Layout(s).paneRows, 0)
        XCTAssertTrue(watches(update(&s, .tick(TestSupport.now))).isEmpty)
        XCTAssertFalse(DashboardView.render(s).lines.joined().contains("Events of"))
    }
}

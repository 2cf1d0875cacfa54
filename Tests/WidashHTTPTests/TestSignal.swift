import Foundation
import XCTest

/// A one-shot flag set on one side (usually the test server's event loop) and observed on the other.
final class TestSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var callbacks: [@Sendable () -> Void] = []

    var isFired: Bool { lock.withLock { fired } }

    func fire() {
        let pending: [@Sendable () -> Void] = lock.withLock {
            guard !fired else { return [] }
            fired = true
            defer { callbacks.removeAll() }
            return callbacks
        }
        pending.forEach { $0() }
    }

    /// Runs `callback` once the signal fires (at once if it already has).
    func onFire(_ callback: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if fired { return true }
            callbacks.append(callback)
            return false
        }
        if runNow { callback() }
    }

    /// Waits for the signal; fails the test instead of hanging if it never comes.
    func wait(_ what: String, seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !isFired {
            if Date() > deadline {
                XCTFail("timed out waiting for \(what)", file: file, line: line)
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// A thread-safe list the server appends to and tests read.
final class LockedList<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []
    func append(_ item: Element) { lock.withLock { items.append(item) } }
    var all: [Element] { lock.withLock { items } }
}

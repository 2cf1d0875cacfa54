import XCTest
final class WidashTraceTestsPlaceholder: XCTestCase { func testBuilds() {} }

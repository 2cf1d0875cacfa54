import XCTest
final class WidashCoreTestsPlaceholder: XCTestCase { func testBuilds() {} }

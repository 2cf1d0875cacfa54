import XCTest
final class WidashTUITestsPlaceholder: XCTestCase { func testBuilds() {} }

import XCTest
final class WidashServiceTestsPlaceholder: XCTestCase { func testBuilds() {} }

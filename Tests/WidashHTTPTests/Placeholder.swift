import XCTest
final class WidashHTTPTestsPlaceholder: XCTestCase { func testBuilds() {} }

import XCTest
final class WidashCloudTestsPlaceholder: XCTestCase { func testBuilds() {} }

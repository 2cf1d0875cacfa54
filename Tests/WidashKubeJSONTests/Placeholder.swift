import XCTest
final class WidashKubeJSONTestsPlaceholder: XCTestCase { func testBuilds() {} }

import XCTest
final class WidashKubeTestsPlaceholder: XCTestCase { func testBuilds() {} }

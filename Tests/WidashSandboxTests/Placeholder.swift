import XCTest
final class WidashSandboxTestsPlaceholder: XCTestCase { func testBuilds() {} }

import XCTest
final class WidashSandboxAWSTestsPlaceholder: XCTestCase { func testBuilds() {} }

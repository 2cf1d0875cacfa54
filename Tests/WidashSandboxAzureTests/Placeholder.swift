import XCTest
final class WidashSandboxAzureTestsPlaceholder: XCTestCase { func testBuilds() {} }

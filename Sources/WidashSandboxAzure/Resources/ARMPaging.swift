import Foundation
import WidashSandboxKit

/// ARM's paging of list operations: a page of `value` and, when more follow, a `nextLink` — the
/// same URL with a `$skipToken` query parameter that clients follow as is
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-resource-manager-api-reference#paging;
/// the RoleAssignmentListResult `nextLink` and PaginationSkipToken of authorization-RoleAssignmentsCalls.json).
/// The token is opaque to clients; here it is the offset of the next page.
enum ARMPaging {
    /// The page that `$skipToken` (or the first) starts, and the offset after it when there is more;
    /// nil when the token is not one this service issued.
    static func page<Item>(_ items: [Item], request: SandboxRequest, size: Int) -> (items: ArraySlice<Item>, next: Int?)? {
        let start: Int
        if let token = request.query["$skipToken"] ?? request.query["$skiptoken"] {
            guard let offset = Int(token), offset >= 0, offset <= items.count else { return nil }
            start = offset
        } else {
            start = 0
        }
        let end = min(items.count, start + max(1, size))
        return (items[start..<end], end < items.count ? end : nil)
    }

    /// The listing body: `value` and, when more follow, `nextLink` (the request's own URL with the
    /// next `$skipToken`, other parameters kept).
    static func body(_ value: [[String: Any]], next: Int?, request: SandboxRequest) -> [String: Any] {
        var body: [String: Any] = ["value": value]
        if let next {
            let kept = request.rawQuery.split(separator: "&").filter {
                let name = ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "").removingPercentEncoding?.lowercased()
                return name != "$skiptoken"
            }
            let query = (kept.map(String.init) + ["$skipToken=\(next)"]).joined(separator: "&")
            body["nextLink"] = "https://\(request.host)\(request.path)?\(query)"
        }
        return body
    }

    static func invalidSkipToken() -> SandboxResponse {
        // The emulator's wording: ARM's own text for a token it did not issue is not documented.
        ARMError.response(400, "InvalidSkipToken", "The $skipToken is not valid. Follow the nextLink of the previous page unchanged.")
    }
}

import Foundation

extension KubeListDecoder {
    /// Fetches and decodes a paginated list, decoding page N while page N+1 downloads.
    ///
    /// `fetchPage` is called with nil for the first page, then with each page's continue token;
    /// it runs in a child task, concurrently with the decoding of the page before. `onPage` sees
    /// each page as soon as it is decoded (show the first rows while the rest loads). Every page
    /// shares `interner`, so the pods of all pages share strings and lists.
    ///
    /// - Returns: all items, with the last page's resourceVersion (where a watch resumes); the
    ///   continue token is nil and remainingItemCount is nil.
    public static func decodePagesConcurrently<Item: KubeJSONDecodable>(
        as type: Item.Type = Item.self,
        interner: KubeInternTable = KubeInternTable(),
        limits: KubeJSONLimits = .default,
        fetchPage: @escaping @Sendable (_ continueToken: String?) async throws -> Data,
        onPage: (_ page: KubeListPage<Item>) async throws -> Void = { _ in }
    ) async throws -> KubeListPage<Item> {
        var body = try await fetchPage(nil)
        var items: [Item] = []
        var resourceVersion: String?
        while true {
            // The continue token is at the front of the page: start the next download first.
            let token = try peekListMetadata(body, limits: limits).continueToken
            let next: Task<Data, any Error>? = token.flatMap { token in
                token.isEmpty ? nil : Task { try await fetchPage(token) }
            }
            let page: KubeListPage<Item>
            do {
                page = try decodeList(body, as: Item.self, interner: interner, limits: limits)
            } catch {
                next?.cancel()
                throw error
            }
            if items.isEmpty, let remaining = page.remainingItemCount, remaining > 0 {
                items.reserveCapacity(page.items.count + remaining)
            }
            items += page.items
            if let version = page.resourceVersion, !version.isEmpty { resourceVersion = version }
            do {
                try await onPage(page)
            } catch {
                next?.cancel()
                throw error
            }
            guard let next else { break }
            body = try await withTaskCancellationHandler { try await next.value } onCancel: { next.cancel() }
        }
        return KubeListPage(items: items, resourceVersion: resourceVersion)
    }
}

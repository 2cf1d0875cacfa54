import Foundation
import Synchronization
import WidashCloud
import WidashCore

/// Lets the dashboard ask a running feed to audit again (`r` on the identities list).
public final class TrustAuditControl: Sendable {
    private struct Wake {
        var continuation: AsyncStream<Void>.Continuation?
        /// Forget what was read and read everything again.
        var rerun = false
        /// Read everything again (the cache's time to live decides what is really re-read).
        var refresh = false
    }

    private let wake = Mutex(Wake())

    public init() {}

    /// Forgets every verdict and everything read, then audits again.
    public func rerun() {
        wake.withLock {
            $0.rerun = true
            $0.continuation?.yield()
        }
    }

    func refresh() {
        wake.withLock {
            $0.refresh = true
            $0.continuation?.yield()
        }
    }

    func attach(_ continuation: AsyncStream<Void>.Continuation) {
        wake.withLock { $0.continuation = continuation }
    }

    /// What was asked since the last call.
    func take() -> (rerun: Bool, refresh: Bool) {
        wake.withLock { w in
            defer { w.rerun = false; w.refresh = false }
            return (w.rerun, w.refresh)
        }
    }
}

/// The feed's audit: waits for complete lists, audits the bindings without a verdict (all of them
/// on a re-run or refresh), and hands each verdict to the feed as it comes.
struct TrustAuditLoop {
    let session: ClusterSession
    let state: FeedState
    let control: TrustAuditControl
    /// The feed lists every namespace (not one, and not narrowed for lack of rights).
    let wholeCluster: Bool

    func run(wakes: AsyncStream<Void>) async {
        var auditedOnce = false
        for await _ in wakes {
            let asked = control.take()
            if asked.rerun {
                await session.trustReader.invalidate()
                await state.clearTrust()
            }
            guard let inventory = await state.inventoryToAudit(now: Date()) else { continue }
            var audit = session.trustAudit(issuer: inventory.issuer)
            audit.wholeCluster = wholeCluster
            let known = asked.refresh || asked.rerun ? [] : await state.auditedSubjects
            let missing = TrustSubject.all(in: inventory, workloadPool: audit.workloadPool).filter { !known.contains($0) }
            // Pod Identity associations (for any service account) are listed again on a refresh or re-run.
            guard !missing.isEmpty || asked.refresh || asked.rerun || !auditedOnce else { continue }
            auditedOnce = true
            let state = self.state
            let result = await audit.run(inventory, skip: known, onVerdict: { subject, verdict in
                await state.setVerdict(verdict, for: subject)
            })
            await state.setAssociations(result.podIdentityAssociations)
        }
    }
}

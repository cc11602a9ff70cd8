import Foundation
import Ledger
import MimamoriCore
import Synchronization

/// Decodes a stored notice once per (case, revision, kind, channel), not once per recipient: a
/// 10,000-recipient fan-out shares one notice, and decoding it 10,000 times would be most of the
/// daemon's per-message work.
final class NoticeCache: Sendable {
    private let entries = Mutex<[String: RenderedNotice]>([:])
    private let capacity = 64

    static func key(_ job: DeliveryJob) -> String {
        "\(job.caseID.rawValue)/\(job.revision)/\(job.kind.rawValue)/\(job.channel.rawValue)"
    }

    func notice(for job: DeliveryJob) throws(DeliveryFailure) -> RenderedNotice {
        let key = Self.key(job)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let notice: RenderedNotice
        do {
            notice = try JSONDecoder().decode(RenderedNotice.self, from: job.content)
        } catch {
            throw DeliveryFailure.permanent(
                .misconfigured, "stored notice does not decode",
                hint: "the ledger holds a notice this version cannot read; re-render with `mimamori render`")
        }
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = notice
        }
        return notice
    }
}

/// What an outlet adapter builds from a notice for every recipient alike (the encoded email
/// content, say), built once per notice like the decoded notice itself.
final class PreparedCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    private let capacity = 64

    func value(for job: DeliveryJob, make: () throws(DeliveryFailure) -> Value) throws(DeliveryFailure) -> Value {
        let key = NoticeCache.key(job)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let value = try make()
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = value
        }
        return value
    }
}

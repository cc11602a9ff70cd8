import Foundation
import Ledger
import MimamoriCore
import Outlets

/// The FAX channel of the dispatcher: the notice as an A4 PDF, rendered once per notice and sent
/// to each institution's number by the configured method.
public struct FaxDeliveryOutlet: Outlet {
    public let channel = Channel.fax
    public let concurrency: Int
    private let outlet: FaxOutlet
    private let notices = NoticeCache()

    public init(outlet: FaxOutlet, concurrency: Int) {
        self.outlet = outlet
        self.concurrency = concurrency
    }

    public func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        let notice = try notices.notice(for: job)
        let delivery = FaxDelivery(
            number: job.address, document: FaxDocument(notice: notice), idempotencyKey: job.idempotencyKey, date: Date(),
            resends: job.resends)
        do {
            _ = try await outlet.send(delivery)
        } catch {
            throw DeliveryFailure(outletError: error)
        }
    }
}

/// The disaster radio (防災行政無線): the script read aloud, as CAP 1.2 to the radio gateway
/// and/or a spool folder. An update refers to the announcements before it, the end of the search
/// (`Cancel`) to every announcement of the case.
public struct RadioDeliveryOutlet: Outlet {
    public let channel = Channel.radio
    public let concurrency = 1
    private let outlet: RadioOutlet
    private let ledger: any DeliveryQueue
    private let sender: String
    private let senderName: String
    private let areaDescription: String
    private let contact: String
    private let notices = NoticeCache()

    public init(outlet: RadioOutlet, ledger: any DeliveryQueue, sender: String, senderName: String, areaDescription: String, contact: String) {
        self.outlet = outlet
        self.ledger = ledger
        self.sender = sender
        self.senderName = senderName
        self.areaDescription = areaDescription
        self.contact = contact
    }

    public func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        let notice = try notices.notice(for: job)
        guard let script = notice.radio else {
            throw .permanent(.misconfigured, "notice has no radio script", hint: "check the radio templates")
        }
        let kind: RadioBroadcast.Kind =
            switch job.kind {
            case .alert: .alert
            case .update: .update
            case .termination, .destructionReminder: .cancel
            }
        var references: [RadioBroadcast.Reference] = []
        if kind != .alert {
            do {
                references = try await ledger.announcements(case: job.caseID)
                    .filter { $0.idempotencyKey != job.idempotencyKey && $0.revision <= job.revision }
                    .map { .init(sender: sender, identifier: Self.capIdentifier($0.idempotencyKey), sent: $0.notBefore) }
            } catch {
                throw .transient(.deferred, "ledger unavailable for CAP references", hint: error.operatorHint)
            }
        }
        let broadcast = RadioBroadcast(
            identifier: Self.capIdentifier(job.idempotencyKey), sender: sender, sent: job.notBefore, kind: kind,
            references: references, headline: notice.email.subject, script: script.text,
            areaDescription: areaDescription, isDrill: job.drill, senderName: senderName, contact: contact)
        do {
            _ = try await outlet.send(broadcast)
        } catch {
            throw DeliveryFailure(outletError: error)
        }
    }

    /// CAP identifiers may not hold spaces, commas, `<` or `&`; our keys are made of case ids,
    /// numbers, kinds and ids, so this only guards against a future change of that shape.
    static func capIdentifier(_ key: String) -> String {
        String(key.map { $0 == " " || $0 == "," || $0 == "<" || $0 == "&" ? "_" : $0 })
    }
}

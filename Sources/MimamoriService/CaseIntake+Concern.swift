import Foundation
import Ledger
import MimamoriCore

extension CaseIntake {
    /// A `mimamori.concern/1` event: decoded, then decided by `ConcernState.receive` once,
    /// inside the ledger transaction that records what it decided. A town without `concerns:`
    /// dead-letters it: nobody would act on it.
    func receiveConcern(
        _ envelope: EventEnvelope, body: [UInt8], signedBy: String?, transportMessageID: String?, settings: Settings, now: Date
    ) async throws(LedgerError) -> Decision {
        let event: ConcernEvent
        do {
            event = try ConcernEvent.decode(envelope, limits: limits)
        } catch {
            let reportID = Self.peekCaseID(body)
            try await ledger.recordRejected(messageID: transportMessageID, caseID: reportID, reason: error.reason, at: now)
            return .rejected(caseID: reportID, reason: error.reason)
        }
        guard let concerns = settings.configuration.concerns else {
            try await ledger.recordRejected(
                messageID: transportMessageID, caseID: event.reportID, reason: "concern.not-enabled", at: now)
            return .rejected(caseID: event.reportID, reason: "concern.not-enabled")
        }
        if let signedBy, !settings.publisherKeys.mayKey(signedBy, signFor: event.municipality) {
            try await ledger.recordRejected(
                messageID: transportMessageID, caseID: event.reportID, reason: PublisherKeys.wrongTownReason, at: now)
            return .rejected(caseID: event.reportID, reason: PublisherKeys.wrongTownReason)
        }
        let configuration = settings.configuration
        let renderer = settings.planner.renderer
        let deadline = configuration.retry.deadline
        let storedBody = Data(body)
        let (outcome, decision) = try await ledger.recordIntake(
            case: event.reportID, messageID: event.messageID.uuidString.lowercased(), at: now
        ) { reading in
            try Self.decideConcern(
                event, reading: reading, storedBody: storedBody, transportMessageID: transportMessageID,
                context: ConcernState.Context(
                    concerns: concerns, municipality: configuration.municipality, areas: configuration.areas, renderer: renderer,
                    messageRecorded: reading.messageRecorded, purged: reading.stored?.purgedAt != nil, now: now),
                deadline: deadline)
        }
        if case .duplicate = outcome { return .ignored(caseID: event.reportID, reason: "concern.repeated-message") }
        return decision
    }

    /// Inside the ledger's transaction: the one run of the report's state machine.
    static func decideConcern(
        _ event: ConcernEvent, reading: IntakeReading, storedBody: Data, transportMessageID: String?, context: ConcernState.Context,
        deadline: Duration
    ) throws -> (entry: IntakeEntry, decided: Decision) {
        func refuse(_ reason: String) -> (entry: IntakeEntry, decided: Decision) {
            (.reject(messageID: transportMessageID, reason: reason), .rejected(caseID: event.reportID, reason: reason))
        }
        if let stored = reading.stored, stored.schema != EventSchema.concern.rawValue { return refuse("concern.id-of-a-case") }
        var state: ConcernState?
        if let stored = reading.stored, stored.purgedAt == nil {
            do {
                state = try stored.snapshot.decode(ConcernState.self)
            } catch {
                throw corruptState(event.reportID)
            }
        }
        var notices: [RenderedNotice] = []
        var deliveries: [ConcernDelivery] = []
        var callback: String?
        for action in ConcernState.receive(event, state: &state, context: context) {
            switch action {
            case .reject(let reason): return refuse(reason)
            case .ignore(let reason):
                return (.ignore(messageID: transportMessageID, reason: reason), .ignored(caseID: event.reportID, reason: reason))
            case .plan(let planned, let rendered):
                deliveries += planned
                notices += rendered
            case .callBack(let desk): callback = desk
            }
        }
        guard let state else { return refuse("concern.no-state") }
        let snapshot: CaseSnapshot
        do {
            snapshot = try CaseSnapshot(name: state.phase.rawValue, encoding: state, closedAt: state.closedAt)
        } catch {
            throw corruptState(event.reportID)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var noticeRows: [Intake.Notice] = []
        for notice in notices {
            let content = try encoder.encode(notice)
            for channel in Set(deliveries.filter { notice.matches($0.planned) }.map(\.planned.channel)).sorted(by: {
                $0.rawValue < $1.rawValue
            }) {
                noticeRows.append(Intake.Notice(revision: notice.revision, kind: notice.kind, channel: channel, content: content))
            }
        }
        let seconds = deadline.inSeconds
        var intake = Intake(
            messageID: event.messageID.uuidString.lowercased(), caseID: event.reportID, municipality: event.municipality,
            drill: event.drill, sequence: event.sequence, eventKind: event.kind.rawValue, receivedAt: context.now, body: storedBody,
            state: snapshot, notices: noticeRows,
            deliveries: deliveries.map {
                Intake.Delivery($0.planned, address: $0.address, deadline: $0.planned.notBefore.addingTimeInterval(seconds))
            })
        intake.schema = EventSchema.concern.rawValue
        intake.callbackDesk = callback
        let planned = deliveries.reduce(into: [Channel: Int]()) { $0[$1.planned.channel, default: 0] += 1 }
        return (
            .record(intake),
            .concernRecorded(
                reportID: event.reportID, sequence: event.sequence, kind: event.kind.rawValue, planned: planned,
                desks: event.kind == .reported ? state.route.desks : [], rule: state.route.rule.rawValue, callback: callback)
        )
    }
}

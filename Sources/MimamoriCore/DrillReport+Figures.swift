import Foundation

// Every figure of the drill report, one function each. The chain and the reach are the alert's
// (the notice that starts the search); the confirmations are the recipients' over the whole case,
// since one 処分しました covers every document of the case a recipient holds.

extension DrillReport {
    /// The first and the last acceptance of the alert on one channel.
    public struct Span: Sendable, Hashable {
        public var first: Date
        public var last: Date
    }

    /// The alert's deliveries on one channel, or in one area, by how they ended.
    public struct ReachCount: Sendable, Hashable {
        public var planned = 0
        public var accepted = 0
        public var failed = 0
        public var expired = 0
        public var cancelled = 0
        /// Still planned or sending when the report was made.
        public var waiting = 0

        public init() {}

        mutating func add(_ state: DeliveryState) {
            planned += 1
            switch state {
            case .delivered: accepted += 1
            case .failed: failed += 1
            case .expired: expired += 1
            case .cancelled: cancelled += 1
            case .planned, .sending: waiting += 1
            }
        }
    }

    /// The FAX alerts the outlet accepted, by what the provider reported of their transmission.
    public struct TransmissionCount: Sendable, Hashable {
        public var transmitted = 0
        public var failed = 0
        /// Accepted, and no report came (a method that reports nothing, or a report still due).
        public var unknown = 0
        public init() {}
    }

    /// The fixed marks the meeting compares year on year.
    public enum Mark: Int, Sendable, Hashable, CaseIterable {
        case hour = 3600
        case day = 86_400
        case threeDays = 259_200
        case week = 604_800

        public var seconds: TimeInterval { TimeInterval(rawValue) }

        public var japanese: String {
            switch self {
            case .hour: "1時間以内"
            case .day: "1日以内"
            case .threeDays: "3日以内"
            case .week: "1週間以内"
            }
        }
    }

    /// What the cumulative chart draws.
    public enum Curve: String, Sendable, Hashable, CaseIterable {
        /// Recipients the alert reached (first acceptance on a channel that asks for confirmation).
        case accepted
        case received
        case destroyed

        public var japanese: String {
            switch self {
            case .accepted: "届いた（受付）"
            case .received: "受け取りました"
            case .destroyed: "処分しました"
            }
        }
    }

    /// One step of a cumulative curve: `count` recipients by `at`.
    public struct Point: Sendable, Hashable {
        public var at: Date
        public var count: Int
    }

    /// A recipient the alert did not reach, and why.
    public struct Unreached: Sendable, Hashable {
        public var recipient: RecipientID
        /// Nil once the case is purged, or for a row no longer in the directory.
        public var name: String?
        public var channel: Channel
        public var reason: String
    }

    /// A recipient the alert reached who has not confirmed receipt, destruction or either.
    public struct Unanswered: Sendable, Hashable {
        public var recipient: RecipientID
        public var name: String?
        public var channel: Channel
        public var receivedAt: Date?
        public var destroyedAt: Date?
    }

    // MARK: the chain

    /// The alert's event: the first `opened` one.
    var alertEvent: Event? { events.first { $0.kind == CaseEvent.Kind.opened.rawValue } }

    var alerts: [Delivery] { deliveries.filter { $0.kind == .alert } }

    /// When the police's side published the alert (the event's `issuedAt`).
    public func publishedAt() -> Date? { alertEvent?.issuedAt }

    /// When the ledger recorded the alert.
    public func recordedAt() -> Date? { alertEvent?.recordedAt }

    /// Where the chain's clock starts: the publication, else the ledger's record, else the case's opening.
    public func chainStart() -> Date { publishedAt() ?? recordedAt() ?? subject.openedAt }

    /// The first and last acceptance of the alert on `channel`; nil when none was accepted.
    public func acceptanceSpan(on channel: Channel) -> Span? {
        let times = alerts.filter { $0.channel == channel }.compactMap(\.acceptedAt)
        guard let first = times.min(), let last = times.max() else { return nil }
        return Span(first: first, last: last)
    }

    /// When the radio's alert was handed to the broadcast system (its acceptance).
    public func radioBroadcastAt() -> Date? {
        alerts.filter { $0.channel == .radio }.compactMap(\.acceptedAt).min()
    }

    /// When the ledger recorded the end of the search; nil while the case is open.
    public func closedAt() -> Date? {
        events.last { $0.kind == CaseEvent.Kind.closed.rawValue }?.recordedAt ?? subject.closedAt
    }

    // MARK: reach

    /// The alert's deliveries on `channel` by how they ended.
    public func reach(on channel: Channel) -> ReachCount {
        var count = ReachCount()
        for delivery in alerts where delivery.channel == channel { count.add(delivery.state) }
        return count
    }

    /// The name an area row of the report carries for a cooperator without areas.
    public static let wholeTown = "（町内全域）"
    /// For a recipient no longer in the directory.
    public static let notInDirectory = "（名簿にない宛先）"

    /// The areas a recipient watches as the directory writes them.
    public func areas(of recipient: RecipientID) -> [String] {
        guard let cooperator = cooperators[recipient] else { return [Self.notInDirectory] }
        return cooperator.areas.isEmpty ? [Self.wholeTown] : cooperator.areas
    }

    /// The alert's deliveries (the radio's aside: it covers the whole town) by the areas their
    /// recipients watch; a recipient of several areas counts in each. Sorted by area.
    public func reachByArea() -> [(area: String, count: ReachCount)] {
        var byArea: [String: ReachCount] = [:]
        for delivery in alerts where delivery.channel != .radio {
            for area in areas(of: delivery.recipient) { byArea[area, default: ReachCount()].add(delivery.state) }
        }
        return byArea.keys.sorted().map { ($0, byArea[$0]!) }
    }

    /// The accepted FAX alerts by what their transmission reports say.
    public func faxTransmissions() -> TransmissionCount {
        var count = TransmissionCount()
        for delivery in alerts where delivery.channel == .fax && delivery.state == .delivered {
            switch delivery.transmission {
            case .transmitted: count.transmitted += 1
            case .failed: count.failed += 1
            case nil: count.unknown += 1
            }
        }
        return count
    }

    // MARK: confirmations (関心度)

    /// The recipients the alert reached on a channel that asks for confirmation: the share's
    /// denominator.
    public func reachedRecipients() -> Set<RecipientID> {
        Set(alerts.filter { $0.state == .delivered && $0.channel != .radio && !$0.kind.confirmations.isEmpty }.map(\.recipient))
    }

    /// When `recipient` first confirmed `confirmation` on any delivery of the case.
    public func firstConfirmation(_ confirmation: Confirmation, by recipient: RecipientID) -> Date? {
        deliveries.filter { $0.recipient == recipient }.compactMap { confirmation == .received ? $0.receivedAt : $0.destroyedAt }.min()
    }

    /// Where the marks of `confirmation` count from: receipt from the chain's start, destruction
    /// from the end of the search (it is asked then), or the start while the case is open.
    public func confirmationStart(_ confirmation: Confirmation) -> Date {
        switch confirmation {
        case .received: chainStart()
        case .destroyed: closedAt() ?? chainStart()
        }
    }

    /// How many reached recipients confirmed `confirmation` within `mark` of its start.
    public func confirmations(_ confirmation: Confirmation, within mark: Mark) -> Int {
        let limit = confirmationStart(confirmation).addingTimeInterval(mark.seconds)
        return reachedRecipients().count { firstConfirmation(confirmation, by: $0).map { $0 <= limit } ?? false }
    }

    /// How many reached recipients confirmed `confirmation` at all.
    public func confirmationTotal(_ confirmation: Confirmation) -> Int {
        reachedRecipients().count { firstConfirmation(confirmation, by: $0) != nil }
    }

    /// `count` as a share of the reached recipients, 0 … 1 (0 when none was reached).
    public func shareOfReached(_ count: Int) -> Double {
        let reached = reachedRecipients().count
        return reached == 0 ? 0 : Double(count) / Double(reached)
    }

    /// The cumulative curve: one point per instant the count grew, oldest first.
    public func cumulative(_ curve: Curve) -> [Point] {
        let reached = reachedRecipients()
        let times: [Date] = reached.compactMap { recipient in
            switch curve {
            case .accepted:
                alerts.filter { $0.recipient == recipient && $0.channel != .radio }.compactMap(\.acceptedAt).min()
            case .received: firstConfirmation(.received, by: recipient)
            case .destroyed: firstConfirmation(.destroyed, by: recipient)
            }
        }
        var points: [Point] = []
        for (index, time) in times.sorted().enumerated() {
            if let last = points.last, last.at == time {
                points[points.count - 1].count = index + 1
            } else {
                points.append(Point(at: time, count: index + 1))
            }
        }
        return points
    }

    // MARK: who

    /// A recipient's name for the staff's eyes; nil once the case is purged or for a row no
    /// longer in the directory.
    public func name(of recipient: RecipientID) -> String? {
        if subject.purged { return nil }
        if recipient == .radio { return "防災行政無線" }
        return cooperators[recipient]?.name
    }

    /// The recipients the alert was planned for and reached on no channel, with why, by id.
    public func unreached() -> [Unreached] {
        var byRecipient: [RecipientID: [Delivery]] = [:]
        for delivery in alerts { byRecipient[delivery.recipient, default: []].append(delivery) }
        return byRecipient.keys.sorted { $0.rawValue < $1.rawValue }.compactMap { recipient in
            let own = byRecipient[recipient]!
            guard !own.contains(where: { $0.state == .delivered }) else { return nil }
            let telling = own.min { Self.unreachedOrder($0.state) < Self.unreachedOrder($1.state) }!
            return Unreached(recipient: recipient, name: name(of: recipient), channel: telling.channel, reason: Self.reason(telling))
        }
    }

    /// The reached recipients without a receipt or a destruction confirmation, by id.
    public func unanswered() -> [Unanswered] {
        reachedRecipients().sorted { $0.rawValue < $1.rawValue }.compactMap { recipient in
            let received = firstConfirmation(.received, by: recipient)
            let destroyed = firstConfirmation(.destroyed, by: recipient)
            guard received == nil || destroyed == nil else { return nil }
            let channel = alerts.first { $0.recipient == recipient && $0.state == .delivered }!.channel
            return Unanswered(
                recipient: recipient, name: name(of: recipient), channel: channel, receivedAt: received, destroyedAt: destroyed)
        }
    }

    /// Which of a recipient's undelivered alerts says best why: one still waiting, then a failure.
    static func unreachedOrder(_ state: DeliveryState) -> Int {
        switch state {
        case .planned, .sending: 0
        case .failed: 1
        case .expired: 2
        case .cancelled: 3
        case .delivered: 4
        }
    }

    /// Why an alert did not reach its recipient, as staff read it.
    static func reason(_ delivery: Delivery) -> String {
        switch delivery.state {
        case .planned, .sending: "まだ送信中です"
        case .failed: "送れませんでした" + (delivery.lastErrorCode.map { "（\($0)）" } ?? "")
        case .expired: "期限までに送れませんでした" + (delivery.lastErrorCode.map { "（\($0)）" } ?? "")
        case .cancelled: "送る前に捜索が終わりました"
        case .delivered: "届きました"
        }
    }

    // MARK: words

    /// A time after the chain's start as the meeting reads it: 45秒, 3分12秒, 2時間5分, 3日4時間.
    public static func elapsed(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds.rounded(.down)))
        if whole < 60 { return "\(whole)秒" }
        if whole < 3600 { return "\(whole / 60)分\(whole % 60)秒" }
        if whole < 86_400 { return "\(whole / 3600)時間\(whole / 60 % 60)分" }
        return "\(whole / 86_400)日\(whole / 3600 % 24)時間"
    }

    /// 42% of the share (rounded half up): what a table prints beside a count.
    public static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

    /// The channel's name in the report.
    public static func channelName(_ channel: Channel) -> String {
        switch channel {
        case .fax: "FAX"
        case .email: "メール"
        case .radio: "防災行政無線"
        }
    }
}

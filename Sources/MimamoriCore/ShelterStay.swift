import Foundation

/// An emergency temporary stay (緊急一時保護, 徘徊に係る緊急一時保護の取り扱い 第1条–第8条): a person
/// found but not yet collected is looked after at a contracted facility (別表第1), which the town
/// asks by sending it the request (第1号様式, 緊急一時保護依頼書; 第3条第2項).
///
/// Pure: the ledger keeps a stay beside its case, and every change of it (sent, extended,
/// ended) is decided here. The stay holds ids, dates and counts; the person's fields are the
/// `ShelterRequest`, kept apart and purged with the case.
public struct ShelterStay: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Recorded, the request not sent: it waits for the staff (`holdReason` says why).
        case held
        /// The request went to the facility (or is on its way): the person stays there.
        case sent
        /// The stay is over (`mimamori shelter end`): the facility is asked to destroy the request.
        case ended
    }

    /// Why a closure's request is not sent at once; each raises the staff alarm `shelter.held`.
    public enum HoldReason: String, Sendable, Hashable, Codable, CaseIterable {
        /// More than 2 days without `approvedBy` (第5条: 2日以内, ただし町長が特に必要と認めるときは7日以内).
        case needsApproval = "needs-approval"
        /// The closure names a facility the settings do not list (別表第1).
        case unknownFacility = "unknown-facility"
        /// The settings have no `shelter:` section: no facility is known at all.
        case notConfigured = "not-configured"
    }

    /// The case (or the town's own record of a person protected without one, 取り扱い第2条第2項第2号).
    public var caseID: CaseID
    /// The facility id of `shelter.facilities` (safe to log).
    public var facilityID: String
    /// 委託期間's first day, on the town's clock: the day the person was protected.
    public var startsOn: LocalDate
    /// 委託期間 in days, the first day included.
    public var days: Int
    /// Who approved a stay of more than 2 days (第5条ただし書). A town official's name: in the
    /// ledger for the audit, never in a log line.
    public var approvedBy: String?
    public var state: State
    public var holdReason: HoldReason?
    /// Amended requests sent after the first (each extension sends one).
    public var amendments: Int
    /// The notice revision of the latest request (the closure's sequence, one more per amendment).
    public var revision: Int
    public var endedAt: Date?
    /// The last day whose morning reminder the staff were sent (an extension moves the last day,
    /// and the reminder is owed again).
    public var remindedFor: LocalDate?
    public var drill: Bool

    public init(
        caseID: CaseID, facilityID: String, startsOn: LocalDate, days: Int, approvedBy: String? = nil, state: State,
        holdReason: HoldReason? = nil, amendments: Int = 0, revision: Int, endedAt: Date? = nil, remindedFor: LocalDate? = nil,
        drill: Bool = false
    ) {
        self.caseID = caseID
        self.facilityID = facilityID
        self.startsOn = startsOn
        self.days = days
        self.approvedBy = approvedBy
        self.state = state
        self.holdReason = holdReason
        self.amendments = amendments
        self.revision = revision
        self.endedAt = endedAt
        self.remindedFor = remindedFor
        self.drill = drill
    }

    /// 第5条: この措置の利用期間は2日以内とする.
    public static let standardDays = 2
    /// 第5条ただし書: 町長が特に必要と認めるときは7日以内.
    public static let maximumDays = 7

    /// 委託期間's last day: the first day counts as one (2 days from 4/1 end on 4/2).
    public var endsOn: LocalDate { startsOn.adding(days: days - 1) }

    /// The request's number (第　号): the case reference, and for an amended request which one
    /// it is (`KN-0042-2` is the first amendment), so the facility files them apart.
    public var requestNumber: String { amendments == 0 ? caseID.rawValue : "\(caseID.rawValue)-\(amendments + 1)" }

    /// 第5条: a stay of more than 2 days needs the town head's approval.
    public static func needsApproval(days: Int) -> Bool { days > standardDays }

    /// Why a closure's request must wait for the staff, or nil when it may go at once. The
    /// closure itself is accepted either way: every cooperator gets the termination.
    public static func holdReason(
        facilityID: String, days: Int, approvedBy: String?, settings: Configuration.Shelter?
    ) -> HoldReason? {
        guard let settings else { return .notConfigured }
        guard settings.facility(facilityID) != nil else { return .unknownFacility }
        if needsApproval(days: days), approvedBy == nil { return .needsApproval }
        return nil
    }

    /// The stay as `mimamori shelter send` makes it: a held request goes, to `facilityID` when
    /// the staff name another facility, approved by `approvedBy` when given.
    public func sent(facilityID: String? = nil, approvedBy: String?, settings: Configuration.Shelter?) throws(ShelterError)
        -> ShelterStay
    {
        guard state == .held else { throw .notHeld(caseID, state) }
        var next = self
        next.facilityID = facilityID ?? self.facilityID
        next.approvedBy = approvedBy ?? self.approvedBy
        guard let settings else { throw .notConfigured }
        guard settings.facility(next.facilityID) != nil else {
            throw .unknownFacility(next.facilityID, known: settings.facilities.map(\.id))
        }
        if Self.needsApproval(days: days), next.approvedBy == nil { throw .approvalNeeded(days: days) }
        next.state = .sent
        next.holdReason = nil
        return next
    }

    /// The stay extended by `extra` days (`mimamori shelter extend`): at most 7 days in all, and
    /// the town head's approval once it is longer than 2. The amended request carries the new
    /// period and the next revision.
    public func extended(by extra: Int, approvedBy: String?) throws(ShelterError) -> ShelterStay {
        guard state == .sent else { throw .notSent(caseID, state) }
        guard extra >= 1 else { throw .badDays(extra) }
        let total = days + extra
        guard total <= Self.maximumDays else { throw .tooLong(total: total, already: days) }
        let approval = approvedBy ?? self.approvedBy
        if Self.needsApproval(days: total), approvedBy == nil { throw .approvalNeeded(days: total) }
        var next = self
        next.days = total
        next.approvedBy = approval
        next.amendments += 1
        next.revision += 1
        return next
    }

    /// The stay ended at `at` (`mimamori shelter end`). A held stay ends without anything sent.
    public func ended(at instant: Date) throws(ShelterError) -> ShelterStay {
        guard state != .ended else { throw .alreadyEnded(caseID) }
        var next = self
        next.state = .ended
        next.endedAt = instant
        return next
    }

    /// The staff's reminder owed at `now`, if any: the morning (`shelter.remind-at`) of the
    /// stay's last day, once per last day, while the request is out and the stay not ended. A
    /// daemon that was down then sends it when it runs again.
    public func reminderOwed(now: Date, remindAt: TimeOfDay) -> LocalDate? {
        guard state == .sent, remindedFor != endsOn else { return nil }
        return now >= JapaneseCalendar.instant(endsOn, remindAt) ? endsOn : nil
    }

    /// The schema name of a stay the staff record with no case behind it (`mimamori shelter
    /// request`): the ledger keeps it as a case row of its own, so its deliveries, reminders and
    /// purge work the same.
    public static let recordSchema = "mimamori.shelter/1"

    /// The reference of a stay recorded without a case, for the staff to read out on the
    /// phone: `<TOWN>-S-<yyyymmdd>-<4 characters>`, the characters without look-alikes.
    public static func newRecordID(municipality: String, at instant: Date, using random: inout some RandomNumberGenerator) -> CaseID {
        let town = String(municipality.uppercased().map { $0 == "_" ? "-" : $0 }.prefix(40))
        let date = JapaneseCalendar.localDate(of: instant)
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        let suffix = String((0..<4).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
        return CaseID(String(format: "%@-S-%04d%02d%02d-%@", town, date.year, date.month, date.day, suffix))
    }

    /// The facility as a recipient in the ledger and in `mimamori report`.
    public static func facilityRecipient(_ facilityID: String) -> RecipientID { RecipientID("shelter-\(facilityID)") }

    /// The staff's copy of a request goes to each staff address: `staff`, `staff-2`, ….
    public static func staffRecipient(index: Int) -> RecipientID { RecipientID(index == 0 ? "staff" : "staff-\(index + 1)") }
}

/// Why a stay cannot change as asked; each says, in Japanese for the staff, what to do instead.
public enum ShelterError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(CaseID)
    case purged(CaseID)
    case notHeld(CaseID, ShelterStay.State)
    case notSent(CaseID, ShelterStay.State)
    case alreadyEnded(CaseID)
    case approvalNeeded(days: Int)
    case tooLong(total: Int, already: Int)
    case badDays(Int)
    case unknownFacility(String, known: [String])
    case notConfigured

    public var description: String {
        switch self {
        case .notFound(let id): "案件 \(id) の緊急一時保護は台帳にありません。案件番号を確かめてください（一覧: mimamori shelter list）。"
        case .purged(let id): "案件 \(id) は保存期間を過ぎて個人情報を削除済みのため、依頼書を作れません。"
        case .notHeld(let id, let state): "案件 \(id) の依頼書は保留中ではありません（\(Self.label(state))）。送り直しは mimamori resend \(id) です。"
        case .notSent(let id, .held): "案件 \(id) の依頼書はまだ送っていません。先に mimamori shelter send \(id) で送ってください。"
        case .notSent(let id, let state): "案件 \(id) の緊急一時保護は延長できません（\(Self.label(state))）。"
        case .alreadyEnded(let id): "案件 \(id) の緊急一時保護は、すでに終了しています。"
        case .approvalNeeded(let days):
            "利用期間 \(days) 日は2日を超えるため、町長の承認が必要です（取り扱い第5条）。--approved-by に承認者の氏名を付けてください。"
        case .tooLong(let total, let already):
            "延長すると合計 \(total) 日になり、上限の \(ShelterStay.maximumDays) 日を超えます（取り扱い第5条）。今の期間は \(already) 日で、あと \(max(0, ShelterStay.maximumDays - already)) 日まで延長できます。"
        case .badDays(let days): "延長する日数（--days）は1以上で書いてください（\(days) が指定されました）。"
        case .unknownFacility(let id, let known):
            "施設「\(id)」は設定（shelter.facilities）にありません。設定にある施設: \(known.isEmpty ? "なし" : known.joined(separator: "、"))。--facility で正しい施設を指定してください。"
        case .notConfigured:
            "mimamori.yaml に shelter:（協定施設の一覧）がありません。施設を設定して mimamorid を再読み込みしてから、もう一度実行してください。"
        }
    }

    /// Safe to log.
    public var code: String {
        switch self {
        case .notFound: "shelter.not-found"
        case .purged: "shelter.purged"
        case .notHeld: "shelter.not-held"
        case .notSent: "shelter.not-sent"
        case .alreadyEnded: "shelter.already-ended"
        case .approvalNeeded: "shelter.approval-needed"
        case .tooLong: "shelter.too-long"
        case .badDays: "shelter.bad-days"
        case .unknownFacility: "shelter.unknown-facility"
        case .notConfigured: "shelter.not-configured"
        }
    }

    /// A stay's state as the staff read it.
    public static func label(_ state: ShelterStay.State) -> String {
        switch state {
        case .held: "保留中"
        case .sent: "依頼済み"
        case .ended: "終了"
        }
    }
}

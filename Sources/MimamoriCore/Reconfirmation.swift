import Foundation

/// Yearly reconfirmation of a registration (要綱 第6条第6項: 町長は、1年に1度以上登録事項について
/// 確認するものとする), and the end of one nobody reconfirmed.
public enum Reconfirmation {
    /// Which of the two reminders a registration is owed.
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        /// `registry.remind-days` before the due date: time to phone the family.
        case dueSoon = "due-soon"
        /// Past the due date and still not reconfirmed.
        case overdue
    }

    /// A year after the last confirmation; from 2/29, 2/28 of the next year.
    public static func dueDate(confirmedOn: LocalDate) -> LocalDate {
        LocalDate.anniversary(of: confirmedOn, in: confirmedOn.year + 1)
    }

    /// The reminder owed on `today`, if any: each stage once per due date (a confirmation moves
    /// the due date, and both are owed again a year on). A daemon that was down on the day sends
    /// it on the first day it runs.
    public static func reminderOwed(
        confirmedOn: LocalDate, today: LocalDate, remindDays: Int, remindedDueSoon: LocalDate?, remindedOverdue: LocalDate?
    ) -> Stage? {
        let due = dueDate(confirmedOn: confirmedOn)
        if today > due { return remindedOverdue == due ? nil : .overdue }
        if today >= due.adding(days: -remindDays) { return remindedDueSoon == due ? nil : .dueSoon }
        return nil
    }

    /// Not reconfirmed within `grace` after the due date: the registration is purged (its rows
    /// and its data key).
    public static func isDueForPurge(confirmedOn: LocalDate, today: LocalDate, grace: Duration) -> Bool {
        let graceDays = Int(grace.components.seconds / 86400)
        return today > dueDate(confirmedOn: confirmedOn).adding(days: graceDays)
    }
}

/// The staff's list of registrations to reconfirm (要綱 第6条第6項): one mail a day at most,
/// with those coming due and those overdue, and whom to phone.
public struct ReconfirmationList: Sendable, Hashable {
    /// One line of the list. The registrant's name and phone are personal data: the list goes
    /// to staff by mail and nowhere else.
    public struct Entry: Sendable, Hashable {
        public var id: RegistrationID
        public var stage: Reconfirmation.Stage
        public var registeredOn: LocalDate
        public var due: LocalDate
        public var registrant: Registration.Contact

        public init(
            id: RegistrationID, stage: Reconfirmation.Stage, registeredOn: LocalDate, due: LocalDate, registrant: Registration.Contact
        ) {
            self.id = id
            self.stage = stage
            self.registeredOn = registeredOn
            self.due = due
            self.registrant = registrant
        }
    }

    public var day: LocalDate
    public var entries: [Entry]

    public init(day: LocalDate, entries: [Entry]) {
        self.day = day
        self.entries = entries.sorted { ($0.stage == .overdue ? 0 : 1, $0.due, $0.id) < ($1.stage == .overdue ? 0 : 1, $1.due, $1.id) }
    }

    /// Whether the day's list may go at `now`: from `at` on the town's clock, and on business
    /// days only when the reminders are (a list due over the year-end break goes on 1/4).
    public static func isSendingTime(_ now: Date, at: TimeOfDay, businessDaysOnly: Bool) -> Bool {
        let day = JapaneseCalendar.localDate(of: now)
        if businessDaysOnly, !JapaneseCalendar.isBusinessDay(day) { return false }
        return JapaneseCalendar.timeOfDay(of: now) >= at
    }

    /// The mail to staff, in Japanese: its subject and the lines of its body.
    public func message(remindDays: Int, grace: Duration) -> (subject: String, lines: [String]) {
        let overdue = entries.filter { $0.stage == .overdue }
        let dueSoon = entries.filter { $0.stage == .dueSoon }
        let graceDays = Int(grace.components.seconds / 86400)
        var lines = [
            "事前登録の年次確認（要綱第6条第6項）のお知らせです（\(JapaneseDateFormat.date(day))）。",
            "届出者に電話で登録内容を確認し、変わりがなければ mimamori registry confirm 登録番号、",
            "変更があれば mimamori registry update 登録番号 ファイル で記録してください。",
            "",
        ]
        func line(_ e: Entry) -> String {
            let relation = e.registrant.relation.map { "（\($0)）" } ?? ""
            return
                "・\(e.id)　登録 \(JapaneseDateFormat.date(e.registeredOn))　確認期限 \(JapaneseDateFormat.date(e.due))　届出者 \(e.registrant.name)\(relation) \(e.registrant.phone)"
        }
        if !overdue.isEmpty {
            lines.append("■ 確認の期限を過ぎた登録（\(overdue.count)件）")
            lines.append("　期限から\(graceDays)日を過ぎても確認がない登録は、自動で削除されます。")
            lines += overdue.map(line)
            lines.append("")
        }
        if !dueSoon.isEmpty {
            lines.append("■ \(remindDays)日以内に確認の期限が来る登録（\(dueSoon.count)件）")
            lines += dueSoon.map(line)
            lines.append("")
        }
        lines.append("一覧: sudo -u mimamori mimamori registry list --due \(remindDays)")
        let subject = "【登録確認】事前登録の年次確認 \(entries.count)件" + (overdue.isEmpty ? "" : "（期限切れ \(overdue.count)件）")
        return (subject, lines)
    }
}

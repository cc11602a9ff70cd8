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

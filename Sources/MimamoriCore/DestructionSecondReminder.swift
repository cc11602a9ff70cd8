import Foundation

/// 要綱 第11条の3, followed up: the papers of a closed case must be destroyed at once, and the
/// destruction reminder asks for it the next business morning. Those who have not said they did
/// (処分しました, by link, QR code or to staff) are asked once more, `reminders.second-after`
/// business days later. Only with `confirm:`: without codes nobody could have said so, and a
/// second letter to everyone would nag those who did.
public enum DestructionSecondReminder {
    /// When the second reminder goes, or nil while it is not yet due (or never: `second-after`
    /// is 0). Due at `reminders.destruction-at` on the `second-after`-th business day after the
    /// day the first reminder went (calendar days when `business-days-only` is off). A daemon
    /// that was down then sends it when it looks again, but not on a closed day nor before the
    /// morning hour: then the next business morning.
    public static func sendAt(firstReminderWentAt: Date, reminders: Configuration.Reminders, now: Date) -> Date? {
        guard reminders.secondAfter > 0 else { return nil }
        var day = JapaneseCalendar.localDate(of: firstReminderWentAt)
        for _ in 0..<reminders.secondAfter {
            day = JapaneseCalendar.nextDay(after: day, businessDaysOnly: reminders.businessDaysOnly)
        }
        let due = JapaneseCalendar.instant(day, reminders.destructionAt)
        guard now >= due else { return nil }
        let today = JapaneseCalendar.localDate(of: now)
        if !reminders.businessDaysOnly || JapaneseCalendar.isBusinessDay(today) {
            return max(now, JapaneseCalendar.instant(today, reminders.destructionAt))
        }
        return JapaneseCalendar.nextMorning(after: now, at: reminders.destructionAt, businessDaysOnly: reminders.businessDaysOnly)
    }
}

extension Planner {
    /// The second destruction reminder of a closed case to `recipients`, those whose first
    /// reminder went and who have not confirmed destruction: one delivery each, by the channel
    /// the first went by, under the closure's revision. Nothing when none are left.
    ///
    /// `documentsFrom`/`documentsTo`: when the first and last alert/update were sent, as the
    /// first reminder names them; `terminatedAt`: the closure; `firstReminderAt`: when it went.
    public func destructionSecondReminder(
        caseID: CaseID, revision: Int, drill: Bool, recipients: [(recipient: RecipientID, channel: Channel)],
        documentsFrom: Date, documentsTo: Date, terminatedAt: Date, firstReminderAt: Date, sendAt: Date
    ) -> DeliveryPlan {
        let holders = recipients.filter { $0.channel != .radio }
        guard !holders.isEmpty else { return DeliveryPlan() }
        let deliveries = holders.map {
            PlannedDelivery(
                caseID: caseID, revision: revision, recipient: $0.recipient, channel: $0.channel, kind: .destructionSecondReminder,
                notBefore: sendAt)
        }
        let notice = renderer.destructionSecondReminder(
            caseID: caseID, revision: revision, drill: drill, documentsFrom: documentsFrom, documentsTo: documentsTo,
            terminatedAt: terminatedAt, firstReminderAt: firstReminderAt, sentAt: sendAt)
        return DeliveryPlan(deliveries: deliveries, notices: [notice])
    }
}

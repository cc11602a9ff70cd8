import Crypto
import Foundation
import MimamoriCore
import Testing

@Suite("The second destruction reminder: N business days after the first, only to those who have not confirmed")
struct DestructionSecondReminderTests {
    static var reminders: Configuration.Reminders { Configuration.Reminders() }

    /// Friday 2026-11-20; Monday 11-23 is 勤労感謝の日.
    static let firstWent = Sample.at("2026-11-20T09:02:00+09:00")

    static func sendAt(_ now: String, _ reminders: Configuration.Reminders = reminders, first: Date = firstWent) -> Date? {
        DestructionSecondReminder.sendAt(firstReminderWentAt: first, reminders: reminders, now: Sample.at(now))
    }

    @Test("three business days after a Friday over a Monday holiday is Thursday at the reminder hour")
    func holidaySkipped() {
        #expect(Self.sendAt("2026-11-25T12:00:00+09:00") == nil)
        #expect(Self.sendAt("2026-11-26T08:59:59+09:00") == nil)
        #expect(Self.sendAt("2026-11-26T09:00:00+09:00") == Sample.at("2026-11-26T09:00:00+09:00"))
        #expect(Self.sendAt("2026-11-26T15:30:00+09:00") == Sample.at("2026-11-26T15:30:00+09:00"))
    }

    @Test("over the year-end break the days are counted from January 4")
    func yearEnd() {
        let first = Sample.at("2026-12-25T09:00:00+09:00")
        #expect(Self.sendAt("2027-01-04T10:00:00+09:00", first: first) == nil)
        #expect(Self.sendAt("2027-01-05T09:00:00+09:00", first: first) == Sample.at("2027-01-05T09:00:00+09:00"))
    }

    @Test("calendar days when business-days-only is off; never with second-after 0; another count and hour")
    func settings() {
        var calendar = Self.reminders
        calendar.businessDaysOnly = false
        #expect(Self.sendAt("2026-11-23T09:00:00+09:00", calendar) == Sample.at("2026-11-23T09:00:00+09:00"))
        var none = Self.reminders
        none.secondAfter = 0
        #expect(Self.sendAt("2027-06-01T09:00:00+09:00", none) == nil)
        var one = Self.reminders
        one.secondAfter = 1
        one.destructionAt = TimeOfDay(hour: 10, minute: 30)
        #expect(Self.sendAt("2026-11-24T10:29:00+09:00", one) == nil)
        #expect(Self.sendAt("2026-11-24T10:30:00+09:00", one) == Sample.at("2026-11-24T10:30:00+09:00"))
    }

    @Test("a daemon down on the day sends it on the next business morning, never on a closed day")
    func late() {
        // Saturday: Monday morning.
        #expect(Self.sendAt("2026-11-28T10:00:00+09:00") == Sample.at("2026-11-30T09:00:00+09:00"))
        // Monday before the hour: that morning; after it: at once.
        #expect(Self.sendAt("2026-11-30T07:00:00+09:00") == Sample.at("2026-11-30T09:00:00+09:00"))
        #expect(Self.sendAt("2026-11-30T13:00:00+09:00") == Sample.at("2026-11-30T13:00:00+09:00"))
    }

    @Test("the plan: one delivery per recipient left, by its channel, under the closure's revision; the radio never")
    func plan() throws {
        let at = Sample.at("2026-11-26T09:00:00+09:00")
        let plan = try Sample.planner().destructionSecondReminder(
            caseID: CaseID("KN-2026-0042"), revision: 3, drill: false,
            recipients: [(RecipientID("fax-yasuragi"), .fax), (RecipientID("mail-002"), .email), (.radio, .radio)],
            documentsFrom: Sample.now, documentsTo: Sample.now.addingTimeInterval(86400),
            terminatedAt: Sample.at("2026-11-19T17:00:00+09:00"), firstReminderAt: Self.firstWent, sendAt: at)
        #expect(plan.deliveries.map(\.recipient.rawValue) == ["fax-yasuragi", "mail-002"])
        #expect(plan.deliveries.map(\.channel) == [.fax, .email])
        #expect(plan.deliveries.allSatisfy { $0.kind == .destructionSecondReminder && $0.revision == 3 && $0.notBefore == at })
        #expect(plan.notices.map(\.kind) == [.destructionSecondReminder])
        let empty = try Sample.planner().destructionSecondReminder(
            caseID: CaseID("X"), revision: 3, drill: false, recipients: [], documentsFrom: Sample.now, documentsTo: Sample.now,
            terminatedAt: Sample.now, firstReminderAt: Self.firstWent, sendAt: at)
        #expect(empty == DeliveryPlan())
    }

    @Test("its notice: 再度のお願い with the case reference and dates, asking for 処分しました, nothing of the person")
    func notice() throws {
        for drill in [false, true] {
            let notice = try Sample.planner().renderer.destructionSecondReminder(
                caseID: CaseID("KN-2026-0042"), revision: 3, drill: drill, documentsFrom: Sample.now,
                documentsTo: Sample.now.addingTimeInterval(86400), terminatedAt: Sample.at("2026-11-19T17:00:00+09:00"),
                firstReminderAt: Self.firstWent, sentAt: Sample.at("2026-11-26T09:00:00+09:00"))
            #expect(notice.kind == .destructionSecondReminder)
            #expect(notice.radio == nil && notice.photo == nil)
            #expect(notice.email.subject.contains("再度のお願い") && notice.email.subject.contains("KN-2026-0042"))
            let fax = notice.fax.plainText
            for text in [notice.email.body, fax] {
                #expect(text.contains("KN-2026-0042"))
                #expect(text.contains("2026年11月20日（金）"))
                #expect(text.contains("2026年11月27日（金）から11月28日（土）まで"))
                #expect(text.contains("「処分しました」"))
                #expect(text.contains("再度のお願い"))
                #expect(!text.contains("紀美野 花子") && !text.contains("はなこ"))
            }
            #expect(notice.email.subject.hasPrefix("【訓練】") == drill)
        }
    }

    @Test("second-after asked for without confirm: is a warning at start and in check-config, not silence")
    func askedWithoutConfirm() throws {
        func warned(_ yaml: String) throws -> Bool {
            try Configuration.parse(yaml: ConfirmSettingsTests.base + yaml).startWarnings.contains {
                $0.event == "settings.second-reminder-off"
            }
        }
        #expect(try warned("reminders: { second-after: 3 }\n"))
        #expect(try !warned(""))
        #expect(try !warned("reminders: { second-after: 0 }\n"))
        #expect(try !warned("confirm: { public-url: \"https://mimamori.town.example.jp\" }\nreminders: { second-after: 3 }\n"))
    }

    @Test("it asks only for destruction, and gets a code on paper and mail, never on the radio")
    func confirmations() {
        #expect(NoticeKind.destructionSecondReminder.confirmations == [.destroyed])
        #expect(!NoticeKind.destructionSecondReminder.carriesPersonalData)
        #expect(!NoticeKind.destructionSecondReminder.isBroadcast)
        let signer = ConfirmationSigner(key: SymmetricKey(data: Data(repeating: 3, count: 32)))
        let fax = PlannedDelivery(
            caseID: CaseID("X"), revision: 3, recipient: RecipientID("a"), channel: .fax, kind: .destructionSecondReminder,
            notBefore: Sample.now)
        let first = PlannedDelivery(
            caseID: CaseID("X"), revision: 3, recipient: RecipientID("a"), channel: .fax, kind: .destructionReminder,
            notBefore: Sample.now)
        #expect(signer.code(for: fax) != nil)
        #expect(signer.code(for: fax) != signer.code(for: first))
    }
}

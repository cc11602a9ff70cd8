import Foundation
import MimamoriCore
import Testing

@Suite("Reconfirmation (要綱 第6条第6項)")
struct ReconfirmationTests {
    @Test("due a year after the last confirmation; from a leap day, on 2/28")
    func dueDate() {
        #expect(Reconfirmation.dueDate(confirmedOn: LocalDate(2026, 4, 1)) == LocalDate(2027, 4, 1))
        #expect(Reconfirmation.dueDate(confirmedOn: LocalDate(2024, 2, 29)) == LocalDate(2025, 2, 28))
        #expect(Reconfirmation.dueDate(confirmedOn: LocalDate(2027, 2, 28)) == LocalDate(2028, 2, 28))
        #expect(Reconfirmation.dueDate(confirmedOn: LocalDate(2026, 12, 31)) == LocalDate(2027, 12, 31))
    }

    @Test("the early reminder from remind-days before the due date, once per due date")
    func dueSoon() {
        let confirmed = LocalDate(2026, 4, 1)
        func owed(_ today: LocalDate, soon: LocalDate? = nil, over: LocalDate? = nil) -> Reconfirmation.Stage? {
            Reconfirmation.reminderOwed(confirmedOn: confirmed, today: today, remindDays: 30, remindedDueSoon: soon, remindedOverdue: over)
        }
        #expect(owed(LocalDate(2027, 3, 1)) == nil)
        #expect(owed(LocalDate(2027, 3, 2)) == .dueSoon)
        #expect(owed(LocalDate(2027, 4, 1)) == .dueSoon)
        #expect(owed(LocalDate(2027, 3, 20), soon: LocalDate(2027, 4, 1)) == nil)
        // A reminder for an earlier due date does not count for this one.
        #expect(owed(LocalDate(2027, 3, 20), soon: LocalDate(2026, 4, 1)) == .dueSoon)
        // The day after the due date: overdue, whether or not the early one went.
        #expect(owed(LocalDate(2027, 4, 2)) == .overdue)
        #expect(owed(LocalDate(2027, 4, 2), soon: LocalDate(2027, 4, 1)) == .overdue)
        #expect(owed(LocalDate(2027, 4, 2), soon: LocalDate(2027, 4, 1), over: LocalDate(2027, 4, 1)) == nil)
        // A daemon that was down on the day sends the list on the first day it runs.
        #expect(owed(LocalDate(2027, 5, 20), soon: LocalDate(2027, 4, 1)) == .overdue)
    }

    @Test("a leap day's registration: reminded from 1/29, overdue from 3/1 of the next year")
    func leapDay() {
        let confirmed = LocalDate(2028, 2, 29)
        func owed(_ today: LocalDate) -> Reconfirmation.Stage? {
            Reconfirmation.reminderOwed(confirmedOn: confirmed, today: today, remindDays: 30, remindedDueSoon: nil, remindedOverdue: nil)
        }
        #expect(owed(LocalDate(2029, 1, 28)) == nil)
        #expect(owed(LocalDate(2029, 1, 29)) == .dueSoon)
        #expect(owed(LocalDate(2029, 2, 28)) == .dueSoon)
        #expect(owed(LocalDate(2029, 3, 1)) == .overdue)
    }

    @Test("over the year end: due 12/31, the overdue list waits for the first business day, 1/4")
    func yearEnd() {
        let confirmed = LocalDate(2025, 12, 31)
        #expect(
            Reconfirmation.reminderOwed(
                confirmedOn: confirmed, today: LocalDate(2027, 1, 1), remindDays: 30, remindedDueSoon: nil, remindedOverdue: nil)
                == .overdue)
        let nine = TimeOfDay(hour: 9, minute: 0)
        func at(_ day: LocalDate, _ hour: Int) -> Date { JapaneseCalendar.instant(day, TimeOfDay(hour: hour, minute: 0)) }
        // 2026-12-31 is a Thursday in the year-end break; 2027-01-04 a Monday.
        #expect(!ReconfirmationList.isSendingTime(at(LocalDate(2026, 12, 31), 10), at: nine, businessDaysOnly: true))
        for day in 1...3 {
            #expect(!ReconfirmationList.isSendingTime(at(LocalDate(2027, 1, day), 10), at: nine, businessDaysOnly: true))
        }
        #expect(!ReconfirmationList.isSendingTime(at(LocalDate(2027, 1, 4), 8), at: nine, businessDaysOnly: true))
        #expect(ReconfirmationList.isSendingTime(at(LocalDate(2027, 1, 4), 9), at: nine, businessDaysOnly: true))
        #expect(ReconfirmationList.isSendingTime(at(LocalDate(2027, 1, 1), 10), at: nine, businessDaysOnly: false))
    }

    @Test("purged the day after the grace ends")
    func purge() {
        let grace = Duration.seconds(60 * 86400)
        let confirmed = LocalDate(2026, 4, 1)
        // Due 2027-04-01; 60 days later is 2027-05-31.
        #expect(!Reconfirmation.isDueForPurge(confirmedOn: confirmed, today: LocalDate(2027, 5, 31), grace: grace))
        #expect(Reconfirmation.isDueForPurge(confirmedOn: confirmed, today: LocalDate(2027, 6, 1), grace: grace))
        #expect(!Reconfirmation.isDueForPurge(confirmedOn: confirmed, today: LocalDate(2027, 4, 2), grace: grace))
    }

    @Test("age in full years; a 2/29 birthday counts on 2/28 in a common year")
    func age() {
        let person = Registration.Person(name: "a", nameKana: "a", sex: .female, dateOfBirth: LocalDate(1944, 2, 29))
        #expect(person.age(on: LocalDate(2026, 2, 27)) == 81)
        #expect(person.age(on: LocalDate(2026, 2, 28)) == 82)
        #expect(person.age(on: LocalDate(2028, 2, 28)) == 83)
        #expect(person.age(on: LocalDate(2028, 2, 29)) == 84)
    }

    @Test(
        "ISO dates: only days that exist",
        arguments: [
            ("2026-04-01", true), ("2024-02-29", true), ("2027-02-29", false), ("2026-13-01", false), ("2026-4-1", false),
            ("20260401", false), ("", false), ("2026-04-31", false),
        ])
    func iso(_ text: String, _ valid: Bool) {
        #expect((LocalDate(iso: text) != nil) == valid)
        if valid { #expect(LocalDate(iso: text)?.description == text) }
    }

    @Test("the staff's list: overdue first, then by due date; names whom to call; says what to do")
    func list() {
        let a = Registration.Contact(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0001")
        let b = Registration.Contact(name: "野上 幸子", phone: "090-0000-0002")
        let list = ReconfirmationList(
            day: LocalDate(2027, 3, 15),
            entries: [
                .init(
                    id: RegistrationID("R2026-0002"), stage: .dueSoon, registeredOn: LocalDate(2026, 4, 1), due: LocalDate(2027, 4, 1),
                    registrant: a),
                .init(
                    id: RegistrationID("R2025-0007"), stage: .overdue, registeredOn: LocalDate(2025, 3, 1), due: LocalDate(2027, 3, 1),
                    registrant: b),
            ])
        #expect(list.entries.map(\.id.rawValue) == ["R2025-0007", "R2026-0002"])
        let (subject, lines) = list.message(remindDays: 30, grace: .seconds(60 * 86400))
        #expect(subject == "【登録確認】事前登録の年次確認 2件（期限切れ 1件）")
        let body = lines.joined(separator: "\n")
        #expect(body.contains("■ 確認の期限を過ぎた登録（1件）"))
        #expect(body.contains("期限から60日を過ぎても確認がない登録は、自動で削除されます。"))
        #expect(body.contains("・R2026-0002　登録 2026年4月1日（水）　確認期限 2027年4月1日（木）　届出者 紀美野 一郎（長男） 090-0000-0001"))
        #expect(body.contains("mimamori registry confirm"))
        #expect(body.firstRange(of: "R2025-0007")!.lowerBound < body.firstRange(of: "R2026-0002")!.lowerBound)
    }
}

@Suite("RegistryVault")
struct RegistryVaultTests {
    static let registration = Registration(
        id: RegistrationID("R2026-0001"),
        person: .init(name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, dateOfBirth: LocalDate(1944, 5, 12), features: ["右ほほにほくろ"]),
        frequentedPlaces: [.init(name: "道の駅 美里の湯かじか荘", area: "美里")],
        familyContacts: [.init(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0001")],
        registrant: .init(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0001"), registeredOn: LocalDate(2026, 4, 1))

    @Test("sealed and opened again; nothing of it in the clear; each seal has its own key")
    func roundTrip() throws {
        let vault = try RegistryVault(credential: RegistryVault.newCredential())
        let sealed = try vault.seal(Self.registration)
        #expect(try vault.open(sealed, id: Self.registration.id) == Self.registration)
        for text in ["紀美野", "きみの", "090-0000-0001", "かじか荘", "R2026-0001"] {
            #expect(sealed.record.range(of: Data(text.utf8)) == nil)
            #expect(sealed.wrappedKey.range(of: Data(text.utf8)) == nil)
        }
        let again = try vault.seal(Self.registration)
        #expect(again.wrappedKey != sealed.wrappedKey)
        #expect(again.record != sealed.record)
        // The record does not open with another registration's key.
        #expect(throws: RegistryVaultError.damaged) {
            try vault.open(.init(record: sealed.record, wrappedKey: again.wrappedKey), id: Self.registration.id)
        }
    }

    @Test("another credential, another row's id, a flipped byte: refused, each with its reason")
    func refusals() throws {
        let vault = try RegistryVault(credential: RegistryVault.newCredential())
        let other = try RegistryVault(credential: RegistryVault.newCredential())
        let sealed = try vault.seal(Self.registration)
        #expect(throws: RegistryVaultError.wrongKey) { try other.open(sealed, id: Self.registration.id) }
        #expect(throws: RegistryVaultError.wrongKey) { try vault.open(sealed, id: RegistrationID("R2026-0002")) }
        var flipped = sealed
        flipped.record[flipped.record.startIndex + 20] ^= 0x01
        #expect(throws: RegistryVaultError.damaged) { try vault.open(flipped, id: Self.registration.id) }
    }

    @Test("the credential is 32 bytes of base64", arguments: ["", "abc", Data(count: 16).base64EncodedString(), "not base64 at all!"])
    func badCredential(_ text: String) {
        #expect(throws: RegistryVaultError.badCredential) { try RegistryVault(credential: text) }
    }
}

import Foundation
import Testing

@testable import MimamoriCore

/// The file staff write for a person protected with no case (`mimamori shelter request FILE`):
/// read as written (a phone's leading zero stays), every problem told in Japanese with the
/// item's path, 第5条 checked before anything is sent.
@Suite("Shelter request file (取り扱い第2条第2項)")
struct ShelterRequestFileTests {
    static let file = """
        # 海南市在住の方を紀美野町内で保護
        facility: yasuragi
        days: 3
        from: 2026-11-27
        protectedBy: 海南警察署
        approvedBy: 紀美野 太郎
        person:
          name: 海南 一子
          kana: かいなん かずこ
          sex: 女性
          age: 79
          dateOfBirth: 1947-02-28
          address: 海南市日方1丁目
          phone: 073-482-0000
        contacts:
          - { relation: 長女, name: 海南 二美, phone: 090-0000-1111 }
        careLevel: 要支援1
        careNotes:
          - 眼鏡がないと字が読めない
          - 甘いものが好き
        """

    @Test("a full file: every item as written")
    func fullFile() throws {
        let parsed = try ShelterRequestFile.parse(Self.file)
        #expect(parsed.facilityID == "yasuragi" && parsed.days == 3 && parsed.from == LocalDate(2026, 11, 27))
        #expect(parsed.approvedBy == "紀美野 太郎" && !parsed.drill && parsed.registrationID == nil)
        let r = parsed.request
        #expect(r.name == "海南 一子" && r.nameKana == "かいなん かずこ" && r.sex == .female && r.age == 79)
        #expect(r.dateOfBirth == LocalDate(1947, 2, 28) && r.address == "海南市日方1丁目" && r.phone == "073-482-0000")
        #expect(r.contacts == [Registration.Contact(name: "海南 二美", relation: "長女", phone: "090-0000-1111")])
        #expect(r.protectedBy == "海南警察署" && r.careLevel == "要支援1" && r.careNotes == ["眼鏡がないと字が読めない", "甘いものが好き"])
    }

    @Test("an unidentified person: only the facility and the days are needed")
    func unidentified() throws {
        let parsed = try ShelterRequestFile.parse("facility: yasuragi\ndays: 2\nprotectedBy: 海南警察署\nregistrationId: KIMINO-0007\n")
        #expect(parsed.request.name == nil && parsed.request.sex == .unknown && parsed.registrationID == RegistrationID("KIMINO-0007"))
        #expect(parsed.from == nil, "today, as the command reads it")
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var path: String
        var says: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        .init(name: "no facility", file: "days: 2", path: "facility", says: "必ず書いてください"),
        .init(name: "no days", file: "facility: yasuragi", path: "days", says: "必ず書いてください"),
        .init(name: "8 days", file: "facility: yasuragi\ndays: 8", path: "days", says: "1 から 7 まで"),
        .init(name: "0 days", file: "facility: yasuragi\ndays: 0", path: "days", says: "1 から 7 まで"),
        .init(name: "3 days unapproved", file: "facility: yasuragi\ndays: 3", path: "approvedBy", says: "町長の承認が必要"),
        .init(name: "a typo", file: "facility: yasuragi\ndays: 2\nprotectdBy: 警察", path: "protectdBy", says: "この項目名は使えません"),
        .init(name: "a typo in person", file: "facility: yasuragi\ndays: 2\nperson: { nmae: x }", path: "person.nmae", says: "この項目名は使えません"),
        .init(name: "kanji kana", file: "facility: yasuragi\ndays: 2\nperson: { kana: 海南 }", path: "person.kana", says: "ひらがな"),
        .init(name: "a bad sex", file: "facility: yasuragi\ndays: 2\nperson: { sex: x }", path: "person.sex", says: "男性・女性"),
        .init(
            name: "a bad date of birth", file: "facility: yasuragi\ndays: 2\nperson: { dateOfBirth: 1947-02-30 }",
            path: "person.dateOfBirth", says: "1944-05-03"),
        .init(name: "a bad start", file: "facility: yasuragi\ndays: 2\nfrom: 11/27", path: "from", says: "2026-04-01"),
        .init(
            name: "a contact without phone", file: "facility: yasuragi\ndays: 2\ncontacts: [ { name: x } ]", path: "contacts[0].phone",
            says: "必ず書いてください"),
        .init(name: "a bad registration id", file: "facility: yasuragi\ndays: 2\nregistrationId: 台帳1", path: "registrationId", says: "半角"),
        .init(name: "a tab in a note", file: "facility: yasuragi\ndays: 2\ncareNotes: [\"a\\tb\"]", path: "careNotes[0]", says: "1行で"),
        .init(name: "not YAML", file: "facility: [yasuragi", path: "", says: "YAML として読めません"),
        .init(name: "a list", file: "- a", path: "", says: "「項目名: 値」"),
    ]

    @Test("each problem names its item and says what to write", arguments: broken)
    func problems(_ broken: Broken) {
        do {
            _ = try ShelterRequestFile.parse(broken.file)
            Issue.record("\(broken.name) was accepted")
        } catch {
            #expect(error.path == broken.path, "\(error)")
            #expect(error.message.contains(broken.says), "\(error)")
        }
    }

    @Test("the problem's line shows the form's name of the item")
    func labels() throws {
        let problem = ShelterRequestFile.Problem(path: "contacts[0].phone", message: "ありません。")
        #expect(problem.description == "contacts[0].phone（連絡先の電話）: ありません。")
    }

    @Test("the staff's fields win over the registration's, which fills the rest")
    func filledFromTheRegistration() throws {
        let parsed = try ShelterRequestFile.parse("facility: yasuragi\ndays: 2\nperson: { name: 呼び名 }\nregistrationId: KIMINO-0007\n")
        let registration = Registration(
            id: RegistrationID("KIMINO-0007"),
            person: .init(name: "登録 名", nameKana: "とうろく めい", sex: .male, dateOfBirth: LocalDate(1940, 1, 1)),
            address: "野上新1", careNotes: ["杖"], familyContacts: [.init(name: "家族", phone: "090-1")],
            registrant: .init(name: "家族", phone: "090-1"), registeredOn: LocalDate(2025, 1, 1))
        let r = parsed.request.filled(from: registration)
        #expect(r.name == "呼び名" && r.nameKana == "とうろく めい" && r.sex == .male && r.dateOfBirth == LocalDate(1940, 1, 1))
        #expect(r.address == "野上新1" && r.careNotes == ["杖"] && r.contacts.map(\.name) == ["家族"])
    }
}

import Foundation
import Testing

@testable import MimamoriCore

/// `RegistrationSheet.rows`: a registration as `registry show` prints it and the police sheet
/// lays it out.
@Suite("registration sheet: every item under the form's label")
struct RegistrationSheetTests {
    static let full = Registration(
        id: RegistrationID("R2026-0001"),
        person: .init(
            name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, dateOfBirth: LocalDate(1944, 5, 12), heightCm: 148, build: "やせ型",
            hair: "白髪まじりの短髪", features: ["右ほほにほくろ", "腰が少し曲がっている"], residenceArea: "野上"),
        address: "紀美野町動木0000", phone: "073-489-0000",
        photo: .init(mediaType: .jpeg, data: Data([0xFF, 0xD8]), consentForNotices: false),
        frequentedPlaces: [.init(name: "道の駅 美里の湯かじか荘", area: "美里"), .init(name: "野上の診療所")], careNotes: ["右耳が遠い"],
        careLevel: "要介護2", familyContacts: [.init(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0000")],
        registrant: .init(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0000"), registeredOn: LocalDate(2024, 2, 29))

    @Test("every item in the form's order; dates with 和暦 and the age on the day; the due date a year on (2/29 → 2/28)")
    func everyItem() {
        let rows = RegistrationSheet.rows(Self.full, today: LocalDate(2026, 12, 3))
        #expect(
            rows.map(\.label) == [
                "台帳番号", "氏名", "ふりがな", "性別", "生年月日", "身長", "体格", "髪型", "特徴", "地区", "住所", "電話", "写真", "よく行く場所", "要介護度",
                "介護の情報", "家族の連絡先", "届出者", "登録日", "最終確認日", "次の確認期限",
            ])
        let value = Dictionary(uniqueKeysWithValues: rows.map { ($0.label, $0.value) })
        #expect(value["生年月日"] == "昭和19年5月12日（1944年）　82歳")
        #expect(value["性別"] == "女性" && value["身長"] == "148 cm")
        #expect(value["特徴"] == "右ほほにほくろ\n腰が少し曲がっている")
        #expect(value["よく行く場所"] == "道の駅 美里の湯かじか荘（美里）\n野上の診療所")
        #expect(value["家族の連絡先"] == "紀美野 一郎（長男）　090-0000-0000")
        #expect(value["写真"] == "あり（JPEG。お知らせには載せない：家族の同意なし。照会への回答にだけ使う）")
        #expect(value["登録日"] == "2024年2月29日（木）" && value["次の確認期限"] == "2025年2月28日（金）")
        #expect(RegistrationSheet.rows(Self.full, today: LocalDate(2026, 12, 3), photoShown: true)[12].value == "右上のとおり")
    }

    @Test("an item the family left empty says so instead of vanishing")
    func emptyItems() {
        let bare = Registration(
            id: RegistrationID("R2"), person: .init(name: "見守", nameKana: "みまもり", sex: .unknown, dateOfBirth: LocalDate(1930, 1, 1)),
            registrant: .init(name: "見守 一郎", phone: "090-1"), registeredOn: LocalDate(2026, 1, 1))
        let rows = RegistrationSheet.rows(bare, today: LocalDate(2026, 12, 3), photoShown: true)
        let empty = rows.filter { $0.value == RegistrationSheet.notGiven }.map(\.label)
        #expect(empty == ["身長", "体格", "髪型", "特徴", "地区", "住所", "電話", "よく行く場所", "要介護度", "介護の情報", "家族の連絡先"])
        #expect(rows.first { $0.label == "写真" }?.value == "なし" && rows.first { $0.label == "性別" }?.value == "不明")
        #expect(rows.first { $0.label == "届出者" }?.value == "見守 一郎　090-1")
    }
}

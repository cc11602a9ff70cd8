/// A registration as staff read it: every item under the form's own label, in the form's order.
/// `mimamori registry show` prints these rows and the police sheet (照会回答) lays them out, so
/// the two never disagree. An item the family left empty says so (（記載なし）) rather than
/// vanishing: whoever reads it learns that it is not known.
public enum RegistrationSheet {
    public struct Row: Sendable, Hashable {
        public var label: String
        /// One line per value.
        public var value: String
        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    public static let notGiven = "（記載なし）"

    public static func label(_ sex: CaseEvent.Person.Sex) -> String {
        switch sex {
        case .female: "女性"
        case .male: "男性"
        case .other: "その他"
        case .unknown: "不明"
        }
    }

    /// 昭和19年5月12日（1944年）　81歳: the age on `today` (the day of the screen or the sheet).
    public static func birth(_ person: Registration.Person, today: LocalDate) -> String {
        let born = person.dateOfBirth
        let era = JapaneseEra.format(born).map { "\($0)（\(born.year)年）" } ?? "\(born.year)年\(born.month)月\(born.day)日"
        return "\(era)　\(person.age(on: today))歳"
    }

    /// 紀美野 一郎（長男）　090-0000-0000
    public static func contact(_ contact: Registration.Contact) -> String {
        "\(contact.name)\(contact.relation.map { "（\($0)）" } ?? "")　\(contact.phone)"
    }

    /// 道の駅 美里の湯かじか荘（美里）
    public static func place(_ place: Registration.Place) -> String {
        place.name + (place.area.map { "（\($0)）" } ?? "")
    }

    /// What the photo is and who may see it.
    public static func photo(_ photo: Registration.Photo?) -> String {
        guard let photo else { return "なし" }
        let kind = photo.mediaType == .jpeg ? "JPEG" : "PNG"
        return photo.consentForNotices
            ? "あり（\(kind)。捜索のお知らせへの掲載に家族の同意あり）"
            : "あり（\(kind)。お知らせには載せない：家族の同意なし。照会への回答にだけ使う）"
    }

    /// Every item of `registration`, ages on `today`. `photoShown`: the photo is printed beside
    /// the rows (the sheet), so its row says where.
    public static func rows(_ registration: Registration, today: LocalDate, photoShown: Bool = false) -> [Row] {
        let person = registration.person
        func text(_ value: String?) -> String { value ?? notGiven }
        func lines(_ values: [String]) -> String { values.isEmpty ? notGiven : values.joined(separator: "\n") }
        let due = Reconfirmation.dueDate(confirmedOn: registration.confirmedOn)
        return [
            Row("台帳番号", registration.id.rawValue),
            Row("氏名", person.name),
            Row("ふりがな", person.nameKana),
            Row("性別", label(person.sex)),
            Row("生年月日", birth(person, today: today)),
            Row("身長", person.heightCm.map { "\($0) cm" } ?? notGiven),
            Row("体格", text(person.build)),
            Row("髪型", text(person.hair)),
            Row("特徴", lines(person.features)),
            Row("地区", text(person.residenceArea)),
            Row("住所", text(registration.address)),
            Row("電話", text(registration.phone)),
            Row("写真", photoShown && registration.photo != nil ? "右上のとおり" : photo(registration.photo)),
            Row("よく行く場所", lines(registration.frequentedPlaces.map(place))),
            Row("要介護度", text(registration.careLevel)),
            Row("介護の情報", lines(registration.careNotes)),
            Row("家族の連絡先", lines(registration.familyContacts.map(contact))),
            Row("届出者", contact(registration.registrant)),
            Row("登録日", JapaneseDateFormat.date(registration.registeredOn)),
            Row("最終確認日", JapaneseDateFormat.date(registration.confirmedOn)),
            Row("次の確認期限", JapaneseDateFormat.date(due)),
        ]
    }
}

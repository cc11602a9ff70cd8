import Foundation
import Yams

/// What staff hand in to register a person (紀美野にこにこネットワーク登録届, 様式第1号): a YAML file
/// for one person, or the CSV that a spreadsheet of the form exports, one row per person. Read
/// into `Form`s, a registration without the id and dates the file left out.
///
/// Every problem of a file is found at once and told in Japanese with where it is (`person.born
/// （生年月日）: …`, `3行目 生年月日: …`), never with the value that was wrong: a problem may end
/// up in a ticket, and a value is a field of the most sensitive data Mimamori holds.
///
/// Pure: text in, forms or problems out. The photo is named here by its file; the CLI reads it.
public enum RegistrationFile: StaffFile {
    /// One person's form, as read.
    public struct Form: Sendable, Hashable {
        /// 台帳番号 when the file gives one; otherwise `Registry.nextID`.
        public var id: RegistrationID?
        public var person: Registration.Person
        public var address: String?
        public var phone: String?
        public var photo: PhotoReference?
        public var frequentedPlaces: [Registration.Place]
        public var careLevel: String?
        public var careNotes: [String]
        public var familyContacts: [Registration.Contact]
        public var registrant: Registration.Contact
        public var registeredOn: LocalDate?
        public var confirmedOn: LocalDate?
        /// Where the form is in its file, for staff: `3行目` of a CSV, empty for a YAML file.
        public var origin: String

        /// The registration this form makes: registered `today` unless the form says when,
        /// confirmed when registered unless it says otherwise.
        public func registration(id: RegistrationID, today: LocalDate, photo: Registration.Photo?) -> Registration {
            let registered = registeredOn ?? today
            return Registration(
                id: id, person: person, address: address, phone: phone, photo: photo, frequentedPlaces: frequentedPlaces,
                careNotes: careNotes, careLevel: careLevel, familyContacts: familyContacts, registrant: registrant,
                registeredOn: registered, confirmedOn: confirmedOn ?? registered)
        }
    }

    /// The photo a form names: a JPEG or PNG file beside the form, and the family's consent to
    /// notices carrying it.
    public struct PhotoReference: Sendable, Hashable {
        /// As written: relative to the form's own file, or absolute.
        public var file: String
        public var consentForNotices: Bool
        /// Where a problem with the photo is told (`photo.file（写真）`, `3行目 写真`).
        public var location: String
    }

    /// Why the file cannot be used, item by item (`StaffFileProblem`).
    public typealias Problem = StaffFileProblem<RegistrationFile>

    /// Its paths carry the form's word already (`person.born（生年月日）`, `3行目 生年月日`).
    public static func label(_ path: String) -> String? { nil }

    /// Every problem of a file; nothing of it may be registered until all are fixed.
    public struct Problems: Error, Sendable, Hashable, CustomStringConvertible {
        public var problems: [Problem]
        public init(_ problems: [Problem]) { self.problems = problems }
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    public enum Format: Sendable, Hashable {
        case yaml, csv

        /// By the file's name: `.csv` is a spreadsheet's export, anything else YAML.
        public init(fileName: String) {
            self = fileName.lowercased().hasSuffix(".csv") ? .csv : .yaml
        }
    }

    /// The forms of a file: one for YAML, one per row for CSV.
    public static func read(_ bytes: Data, format: Format, today: LocalDate) throws(Problems) -> [Form] {
        switch format {
        case .yaml:
            guard let text = String(validating: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...], as: UTF8.self)
            else {
                throw Problems([Problem(path: "", message: "YAML ファイルは UTF-8 で保存してください。")])
            }
            return [try yaml(text, today: today)]
        case .csv:
            return try csv(bytes, today: today)
        }
    }

    // MARK: Fields

    /// The form's items: the CSV column (the form's own words) and the YAML key path.
    enum Field: String, CaseIterable, Sendable {
        case id, name, kana, sex, born, height, build, hair, features, area, address, phone, places, careLevel, careNotes
        case family, registrant, relation, registrantPhone, registered, confirmed, photo, consent

        /// The column of the CSV, and the item's name in every problem.
        var column: String {
            switch self {
            case .id: "台帳番号"
            case .name: "氏名"
            case .kana: "ふりがな"
            case .sex: "性別"
            case .born: "生年月日"
            case .height: "身長"
            case .build: "体格"
            case .hair: "髪型"
            case .features: "特徴"
            case .area: "地区"
            case .address: "住所"
            case .phone: "電話"
            case .places: "よく行く場所"
            case .careLevel: "要介護度"
            case .careNotes: "介護の情報"
            case .family: "家族の連絡先"
            case .registrant: "届出者"
            case .relation: "続柄"
            case .registrantPhone: "届出者の電話"
            case .registered: "登録日"
            case .confirmed: "確認日"
            case .photo: "写真"
            case .consent: "写真の使用に同意"
            }
        }

        var yamlPath: String {
            switch self {
            case .id: "id"
            case .name: "person.name"
            case .kana: "person.kana"
            case .sex: "person.sex"
            case .born: "person.born"
            case .height: "person.height"
            case .build: "person.build"
            case .hair: "person.hair"
            case .features: "person.features"
            case .area: "person.area"
            case .address: "address"
            case .phone: "phone"
            case .places: "places"
            case .careLevel: "care.level"
            case .careNotes: "care.notes"
            case .family: "family"
            case .registrant: "registrant.name"
            case .relation: "registrant.relation"
            case .registrantPhone: "registrant.phone"
            case .registered: "registered"
            case .confirmed: "confirmed"
            case .photo: "photo.file"
            case .consent: "photo.consent"
            }
        }

        /// Items of several values: a list in YAML, a cell split on 、 ; ／ or a line break in CSV.
        var isList: Bool { self == .features || self == .places || self == .careNotes || self == .family }

        /// Longest text of one value: the case event's limits, so that what a registration
        /// adds to an alert fits it.
        var limit: Int {
            switch self {
            case .features, .places, .careNotes, .family, .address, .photo: CaseEvent.Limits.default.maxLongText
            case .phone, .registrantPhone: CaseEvent.Limits.default.maxPhoneLength
            default: CaseEvent.Limits.default.maxShortText
            }
        }

        /// The columns a form's export must have: the items without which there is no
        /// registration (a person, a date of birth, the family member to call).
        static let requiredColumns: [Field] = [.name, .kana, .sex, .born, .registrant, .registrantPhone]

        /// Other headings spreadsheets use for the same column.
        static let columnAliases: [String: Field] = [
            "フリガナ": .kana, "電話番号": .phone, "本人の電話": .phone, "最終確認日": .confirmed, "届出者氏名": .registrant,
            "届出者の電話番号": .registrantPhone, "写真の使用の同意": .consent,
        ]
    }

    /// One value of an item before it is read: text, or (YAML only) a mapping of a list's item.
    enum Raw: Sendable, Hashable {
        case text(String)
        case items([Raw])
        case object([String: String])
    }

    // MARK: Reading values

    /// Reads one form's raw items, collecting every problem.
    struct FormReader {
        var problems: [Problem] = []
        /// Where an item (and the n-th value of a list, and a key of that value) is, for a problem.
        let locate: (Field, Int?, String?) -> String
        /// CSV: list items come as one cell to split.
        let splitsCells: Bool
        let today: LocalDate

        mutating func problem(_ field: Field, _ item: Int?, _ key: String?, _ message: String) {
            problems.append(Problem(path: locate(field, item, key), message: message))
        }

        mutating func problem(_ field: Field, _ message: String) { problem(field, nil, nil, message) }

        /// One line of text as written, trimmed, line breaks inside a cell joined by a space;
        /// nil when empty. (Numbers, dates and phones are read after NFKC by their own readers;
        /// names and notes keep the family's characters.)
        static func clean(_ text: String) -> String? {
            let lines = text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let joined = lines.joined(separator: " ")
            return joined.isEmpty ? nil : joined
        }

        mutating func limited(_ text: String, _ field: Field, _ item: Int? = nil, _ key: String? = nil) -> String? {
            guard text.count <= field.limit else {
                problem(field, item, key, "長すぎます（\(field.limit) 文字まで）。要点を短くまとめてください。")
                return nil
            }
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                problem(field, item, key, "タブなどの制御文字が入っています。消してください。")
                return nil
            }
            return text
        }

        mutating func text(_ raw: Raw?, _ field: Field) -> String? {
            guard let raw else { return nil }
            guard case .text(let value) = raw else {
                problem(field, "ここには一つの値だけを書いてください（一覧や「項目名: 値」は書けません）。")
                return nil
            }
            return Self.clean(value).flatMap { limited($0, field) }
        }

        mutating func required(_ raw: Raw?, _ field: Field) -> String? {
            let before = problems.count
            guard let value = text(raw, field) else {
                if problems.count == before { problem(field, "ありません。必ず書いてください。") }
                return nil
            }
            return value
        }

        /// A list item's values: YAML's list (a single value is a list of one), or the CSV
        /// cell split on 、 ; ／ and line breaks.
        mutating func values(_ raw: Raw?, _ field: Field) -> [Raw] {
            guard let raw else { return [] }
            let values: [Raw]
            switch raw {
            case .items(let items): values = items
            case .object: values = [raw]
            case .text(let text) where splitsCells:
                values = text.split(whereSeparator: { "、;；／/\n\r".contains($0) }).map { .text(String($0)) }
            case .text: values = [raw]
            }
            let limit = CaseEvent.Limits.default.maxArrayElements
            guard values.count <= limit else {
                problem(field, "多すぎます（\(limit) 件まで）。")
                return []
            }
            return values.filter { value in
                if case .text(let text) = value { return Self.clean(text) != nil }
                return true
            }
        }

        mutating func strings(_ raw: Raw?, _ field: Field) -> [String] {
            values(raw, field).enumerated().compactMap { index, value in
                guard case .text(let text) = value, let cleaned = Self.clean(text) else {
                    problem(field, index, nil, "ここには文だけを書いてください（「項目名: 値」は書けません）。")
                    return nil
                }
                return limited(cleaned, field, index)
            }
        }

        mutating func sex(_ raw: Raw?) -> CaseEvent.Person.Sex? {
            guard let text = required(raw, .sex) else { return nil }
            guard let sex = RegistrationFile.sex(text) else {
                problem(.sex, "女・男（female / male）、その他（other）、不明（unknown）のどれかで書いてください。")
                return nil
            }
            return sex
        }

        mutating func date(_ raw: Raw?, _ field: Field, required isRequired: Bool = false) -> LocalDate? {
            guard let text = isRequired ? required(raw, field) : text(raw, field) else { return nil }
            switch RegistrationFile.date(text) {
            case .success(let day):
                if day > today {
                    problem(field, "今日より後の日付です。")
                    return nil
                }
                return day
            case .failure(let reason):
                problem(field, reason.message)
                return nil
            }
        }

        mutating func height(_ raw: Raw?) -> Int? {
            guard let text = text(raw, .height) else { return nil }
            guard let cm = RegistrationFile.heightCm(text) else {
                problem(.height, "50 から 250 までの数（cm）で書いてください（例: 148、148cm）。")
                return nil
            }
            return cm
        }

        mutating func phone(_ text: String?, _ field: Field, _ item: Int? = nil, _ key: String? = nil) -> String? {
            guard let text else { return nil }
            guard Addresses.normalisedFaxNumber(text) != nil else {
                problem(field, item, key, "電話番号の形になっていません。市外局番から数字とハイフンで書いてください（例: 073-489-0000）。")
                return nil
            }
            return RegistrationFile.phoneText(text)
        }

        mutating func kana(_ raw: Raw?) -> String? {
            // NFKC: half-width ｷﾐﾉ becomes キミノ.
            guard let text = required(raw, .kana)?.precomposedStringWithCompatibilityMapping else { return nil }
            let allowed = text.unicodeScalars.allSatisfy { s in
                (0x3041...0x3096).contains(s.value) || (0x30A1...0x30FA).contains(s.value) || (0x309B...0x309E).contains(s.value)
                    || [0x30FB, 0x30FC, 0x30FD, 0x30FE, 0x20, 0x3000].contains(s.value)
            }
            guard allowed else {
                problem(.kana, "ひらがなかカタカナで書いてください（漢字や英字は使えません）。")
                return nil
            }
            return text
        }

        mutating func places(_ raw: Raw?) -> [Registration.Place] {
            values(raw, .places).enumerated().compactMap { index, value in
                switch value {
                case .text(let text):
                    guard let cleaned = Self.clean(text), let written = limited(cleaned, .places, index) else { return nil }
                    return RegistrationFile.place(written)
                case .object(let object):
                    guard let name = object["name"].flatMap(Self.clean) else {
                        problem(.places, index, "name", "場所の名前がありません。")
                        return nil
                    }
                    guard let limitedName = limited(name, .places, index, "name") else { return nil }
                    let area = object["area"].flatMap(Self.clean).flatMap { limited($0, .places, index, "area") }
                    return Registration.Place(name: limitedName, area: area)
                case .items:
                    problem(.places, index, nil, "一つの場所は「名前（地区）」か { name: …, area: … } で書いてください。")
                    return nil
                }
            }
        }

        mutating func contacts(_ raw: Raw?) -> [Registration.Contact] {
            values(raw, .family).enumerated().compactMap { index, value in
                switch value {
                case .text(let text):
                    guard let cleaned = Self.clean(text), let written = limited(cleaned, .family, index) else { return nil }
                    guard let contact = RegistrationFile.contact(written) else {
                        problem(.family, index, nil, "「氏名（続柄）電話番号」の形で書いてください（例: 紀美野一郎（長男）090-1234-5678）。")
                        return nil
                    }
                    return phone(contact.phone, .family, index, "phone").map { _ in contact }
                case .object(let object):
                    let name = object["name"].flatMap(Self.clean)
                    let relation = object["relation"].flatMap(Self.clean)
                    let number = object["phone"].flatMap(Self.clean)
                    if name == nil { problem(.family, index, "name", "氏名がありません。") }
                    if number == nil { problem(.family, index, "phone", "電話番号がありません。") }
                    guard let name, let number, let checked = phone(number, .family, index, "phone"),
                        let limitedName = limited(name, .family, index, "name")
                    else { return nil }
                    return Registration.Contact(name: limitedName, relation: relation, phone: checked)
                case .items:
                    problem(.family, index, nil, "一人ずつ { name: …, relation: …, phone: … } で書いてください。")
                    return nil
                }
            }
        }

        mutating func consent(_ raw: Raw?, photo: String?) -> Bool? {
            guard let text = text(raw, .consent) else {
                if photo != nil { problem(.consent, "写真があるときは、お知らせに写真を載せることへの同意を はい か いいえ で書いてください。") }
                return nil
            }
            guard let flag = RegistrationFile.flag(text) else {
                problem(.consent, "はい か いいえ（true / false）で書いてください。")
                return nil
            }
            return flag
        }

        /// The whole form, or nil when some item has a problem (all of them are in `problems`).
        mutating func form(_ raw: [Field: Raw], origin: String) -> Form? {
            let before = problems.count
            var id: RegistrationID?
            if let text = text(raw[.id], .id) {
                if RegistrationID.isValid(text) {
                    id = RegistrationID(text)
                } else {
                    problem(.id, "台帳番号は半角の英字・数字・ハイフンで 32 文字までです（省略すると自動で付けます）。")
                }
            }
            let name = required(raw[.name], .name)
            let nameKana = kana(raw[.kana])
            let personSex = sex(raw[.sex])
            let born = date(raw[.born], .born, required: true)
            let heightCm = height(raw[.height])
            let build = text(raw[.build], .build)
            let hair = text(raw[.hair], .hair)
            let features = strings(raw[.features], .features)
            let area = text(raw[.area], .area)
            let address = text(raw[.address], .address)
            let ownPhone = phone(text(raw[.phone], .phone), .phone)
            let frequented = places(raw[.places])
            let careLevel = text(raw[.careLevel], .careLevel)
            let careNotes = strings(raw[.careNotes], .careNotes)
            let family = contacts(raw[.family])
            let registrantName = required(raw[.registrant], .registrant)
            let relation = text(raw[.relation], .relation)
            let registrantPhone = phone(required(raw[.registrantPhone], .registrantPhone), .registrantPhone)
            let registered = date(raw[.registered], .registered)
            let confirmed = date(raw[.confirmed], .confirmed)
            let photoFile = text(raw[.photo], .photo)
            let photoConsent = consent(raw[.consent], photo: photoFile)

            if let born, born < JapaneseEra.all[0].firstDay { problem(.born, "明治より前の日付です。西暦か和暦を確かめてください。") }
            if let born, let registered, born > registered { problem(.born, "登録日より後の日付です。") }
            if let confirmed, let registered, confirmed < registered { problem(.confirmed, "登録日より前の日付です。") }

            guard problems.count == before, let name, let nameKana, let personSex, let born, let registrantName, let registrantPhone else {
                return nil
            }
            return Form(
                id: id,
                person: Registration.Person(
                    name: name, nameKana: nameKana, sex: personSex, dateOfBirth: born, heightCm: heightCm, build: build, hair: hair,
                    features: features, residenceArea: area),
                address: address, phone: ownPhone,
                photo: photoFile.map {
                    PhotoReference(file: $0, consentForNotices: photoConsent ?? false, location: locate(.photo, nil, nil))
                },
                frequentedPlaces: frequented, careLevel: careLevel, careNotes: careNotes, familyContacts: family,
                registrant: Registration.Contact(name: registrantName, relation: relation, phone: registrantPhone),
                registeredOn: registered, confirmedOn: confirmed, origin: origin)
        }
    }

    // MARK: Values as staff write them

    /// female/male/other/unknown, 女/男/女性/男性, その他, 不明 (and F/M).
    public static func sex(_ text: String) -> CaseEvent.Person.Sex? {
        switch text.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces).lowercased() {
        case "female", "f", "女", "女性": .female
        case "male", "m", "男", "男性": .male
        case "other", "その他": .other
        case "unknown", "不明": .unknown
        default: nil
        }
    }

    /// Why a written date is not one, in words for staff (never the date itself).
    public struct DateProblem: Error, Sendable, Hashable {
        public var message: String
    }

    /// A day as staff write it: `1944-05-12`, `1944/5/12` (a spreadsheet's date cell),
    /// `1944年5月12日`, or 和暦 `昭和19年5月12日` / `昭和元年12月25日` / `S19.5.12`; full-width
    /// digits too. A 和暦 day outside its era (昭和64年1月8日) is refused with the era's span.
    public static func date(_ text: String) -> Result<LocalDate, DateProblem> {
        let noSuchDay = DateProblem(message: "その年月日はありません（月は 1〜12、日はその月の日数まで）。")
        guard let written = WrittenDate(text) else {
            return .failure(DateProblem(message: "日付として読めません。1944-05-12、1944/5/12 か 昭和19年5月12日 の形で書いてください。"))
        }
        guard let era = written.era else {
            return gregorian(written.year, written.month, written.day).map(Result.success) ?? .failure(noSuchDay)
        }
        guard let date = era.day(year: written.year, month: written.month, day: written.day) else {
            if gregorian(era.firstDay.year + written.year - 1, written.month, written.day) == nil { return .failure(noSuchDay) }
            return .failure(DateProblem(message: "元号と年月日が合いません（\(era.span)です）。"))
        }
        return .success(date)
    }

    /// A date's parts as written: `[era] year sep month sep day [日]`, the separators 年月 or one
    /// of - / . (the era's year may be 元; a Gregorian year has four digits).
    struct WrittenDate {
        var era: JapaneseEra?
        var year: Int
        var month: Int
        var day: Int

        init?(_ text: String) {
            var rest = Substring(text.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace })
            era = JapaneseEra.all.first { rest.hasPrefix($0.name) || rest.first.map { String($0).uppercased() } == String($0.initial) }
            if let era { rest = rest.dropFirst(rest.hasPrefix(era.name) ? era.name.count : 1) }
            func number(_ digits: ClosedRange<Int>) -> Int? {
                let run = rest.prefix { $0.isASCII && $0.isNumber }
                guard digits.contains(run.count), let value = Int(run) else { return nil }
                rest = rest.dropFirst(run.count)
                return value
            }
            func separator(_ kanji: Character) -> Bool {
                guard let c = rest.first, c == kanji || "-/.".contains(c) else { return false }
                rest = rest.dropFirst()
                return true
            }
            if era != nil, rest.hasPrefix("元") {
                rest = rest.dropFirst()
                year = 1
            } else if let y = number(era == nil ? 4...4 : 1...2) {
                year = y
            } else {
                return nil
            }
            guard separator("年"), let m = number(1...2), separator("月"), let d = number(1...2) else { return nil }
            if rest == "日" { rest = "" }
            guard rest.isEmpty else { return nil }
            (month, day) = (m, d)
        }
    }

    static func gregorian(_ y: Int, _ m: Int, _ d: Int) -> LocalDate? {
        guard (1...12).contains(m), (1...31).contains(d) else { return nil }
        let date = LocalDate(y, m, d)
        return LocalDate(dayNumber: date.dayNumber) == date ? date : nil
    }

    /// `148`, `148cm`, `148センチ`, `約148`, full-width too; 50–250 cm.
    public static func heightCm(_ text: String) -> Int? {
        var s = text.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }.lowercased()
        if s.hasPrefix("約") { s.removeFirst() }
        for unit in ["センチメートル", "センチ", "cm"] where s.hasSuffix(unit) {
            s.removeLast(unit.count)
            break
        }
        guard let cm = Int(s), (50...250).contains(cm) else { return nil }
        return cm
    }

    /// はい/いいえ, true/false, yes/no, ○/×, 有/無, あり/なし, 同意する/同意しない, 1/0.
    public static func flag(_ text: String) -> Bool? {
        switch text.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces).lowercased() {
        case "はい", "true", "yes", "○", "◯", "有", "有り", "あり", "同意する", "同意", "1": true
        case "いいえ", "false", "no", "×", "無", "無し", "なし", "同意しない", "0": false
        default: nil
        }
    }

    /// `道の駅かじか荘（美里）`: the place, and in the closing brackets (full or half width) the
    /// area it is in.
    public static func place(_ text: String) -> Registration.Place {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix(")") || s.hasSuffix("）"), let open = s.lastIndex(where: { $0 == "(" || $0 == "（" }), open > s.startIndex else {
            return Registration.Place(name: s)
        }
        let name = s[..<open].trimmingCharacters(in: .whitespaces)
        let area = s[s.index(after: open)..<s.index(before: s.endIndex)].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return Registration.Place(name: s) }
        return Registration.Place(name: name, area: area.isEmpty ? nil : area)
    }

    /// `紀美野一郎（長男）090-1234-5678`: the name, the relation in brackets (optional), the phone
    /// at the end. Nil without a name or a number.
    public static func contact(_ text: String) -> Registration.Contact? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let digits = "0123456789-‐− +"
        func isPhone(_ c: Character) -> Bool { String(c).precomposedStringWithCompatibilityMapping.allSatisfy(digits.contains) }
        var phoneStart = s.endIndex
        while phoneStart > s.startIndex, isPhone(s[s.index(before: phoneStart)]) { phoneStart = s.index(before: phoneStart) }
        let phone = phoneText(String(s[phoneStart...])).trimmingCharacters(in: .whitespaces)
        var rest = s[..<phoneStart].trimmingCharacters(in: .whitespaces)
        for separator in [":", "：", "電話", "TEL", "Tel", "tel"] where rest.hasSuffix(separator) {
            rest = String(rest.dropLast(separator.count)).trimmingCharacters(in: .whitespaces)
        }
        guard phone.contains(where: \.isNumber), !rest.isEmpty else { return nil }
        let place = place(rest)
        return Registration.Contact(name: place.name, relation: place.area, phone: phone)
    }

    /// A phone number as it is kept: half-width digits, every dash an ASCII hyphen (a CP932
    /// export turns the form's － into U+2212 or U+FF0D).
    static func phoneText(_ text: String) -> String {
        String(text.precomposedStringWithCompatibilityMapping.map { "‐‑‒–—−".contains($0) ? "-" : $0 })
    }

    /// The photo file's bytes as a JPEG or PNG photo, by their first bytes; problems in words for
    /// staff. What a case photo then goes through (check, upright, metadata stripped) is the
    /// CLI's next step (`PhotoIntake`).
    public static func photo(_ bytes: Data, at location: String) -> Result<CaseEvent.Photo, Problem> {
        let limit = CaseEvent.Limits.default.maxPhotoBytes
        guard bytes.count <= limit else {
            return .failure(
                Problem(path: location, message: "写真が大きすぎます（\(limit / 1024 / 1024) MB まで）。縮小したものを使ってください。"))
        }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .success(.init(mediaType: .png, data: bytes)) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .success(.init(mediaType: .jpeg, data: bytes)) }
        return .failure(Problem(path: location, message: "JPEG か PNG の写真ではありません。写真のファイルを確かめてください。"))
    }

    /// Why `PhotoCheck` refused the photo, for staff.
    public static func explain(_ problem: PhotoCheck.Problem, at location: String) -> Problem {
        let message =
            switch problem {
            case .wrongType: "JPEG か PNG の写真ではありません。写真のファイルを確かめてください。"
            case .badDimensions, .undecodable: "写真のデータが壊れていて読めません。撮り直すか、別の写真を使ってください。"
            case .tooManyPixels: "写真の画素数が多すぎます（5000万画素まで）。縮小したものを使ってください。"
            }
        return Problem(path: location, message: message)
    }
}

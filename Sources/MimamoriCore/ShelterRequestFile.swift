import Foundation
import Yams

/// The file staff write for a person protected with no case behind it (取り扱い第2条第2項:
/// protected in the town but living elsewhere, or not yet identified), read for `mimamori
/// shelter request FILE`:
///
/// ```yaml
/// facility: yasuragi            # shelter.facilities の id
/// days: 2                       # 1〜7（2日を超えるときは approvedBy が必要）
/// from: 2026-04-01              # 省略すると今日
/// protectedBy: 海南警察署
/// approvedBy: 紀美野 一郎         # 2日を超えるとき（町長の承認、取り扱い第5条）
/// registrationId: KIMINO-0001   # 登録のある方（登録の情報で空いた欄を埋めます）
/// person: { name: 不明, kana: ふめい, sex: female, age: 80, dateOfBirth: 1944-05-03, address: …, phone: … }
/// contacts: [ { relation: 長女, name: …, phone: 090-0000-0000 } ]
/// careLevel: 要介護2
/// careNotes: [ 補聴器を使用 ]
/// ```
///
/// Every problem is told in Japanese with the item's path, and a key the file may not have is
/// refused (a typo must not drop an item silently).
public enum ShelterRequestFile: StaffFile {
    public struct Parsed: Sendable, Hashable {
        public var facilityID: String
        public var days: Int
        public var from: LocalDate?
        public var approvedBy: String?
        public var drill: Bool
        public var registrationID: RegistrationID?
        public var request: ShelterRequest
    }

    /// Why the file cannot be used, item by item (`StaffFileProblem`).
    public typealias Problem = StaffFileProblem<ShelterRequestFile>

    static let allowedKeys: [String: Set<String>] = [
        "": [
            "facility", "days", "from", "protectedBy", "approvedBy", "registrationId", "drill", "person", "contacts", "careLevel",
            "careNotes",
        ],
        "person": ["name", "kana", "sex", "age", "dateOfBirth", "address", "phone"],
        "contacts": ["name", "relation", "phone"],
    ]

    public static func parse(_ text: String, limits: CaseEvent.Limits = .default) throws(Problem) -> Parsed {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problem(path: "", message: "YAML として読めません。字下げ（行頭の空白）と「項目名: 値」の形を確かめてください。")
        }
        guard let root, case .mapping(let top) = root else {
            throw Problem(path: "", message: "ファイルの中身が「項目名: 値」の並びになっていません。")
        }
        let map = try mapping(top, path: "")
        let reader = Reader(limits: limits)

        guard let facility = try reader.text(map["facility"], "facility", max: 64) else { throw missing("facility") }
        guard let daysText = try reader.text(map["days"], "days", max: 2) else { throw missing("days") }
        guard let days = Int(daysText), (1...ShelterStay.maximumDays).contains(days) else {
            throw Problem(path: "days", message: "1 から \(ShelterStay.maximumDays) までの日数で書いてください（取り扱い第5条）。")
        }
        var from: LocalDate?
        if let text = try reader.text(map["from"], "from", max: 10) {
            guard let date = LocalDate(iso: text) else { throw Problem(path: "from", message: "日付は 2026-04-01 の形で書いてください（省略すると今日）。") }
            from = date
        }
        let approvedBy = try reader.text(map["approvedBy"], "approvedBy", max: limits.maxShortText)
        if ShelterStay.needsApproval(days: days), approvedBy == nil {
            throw Problem(path: "approvedBy", message: "利用期間が2日を超えるため、町長の承認が必要です（取り扱い第5条）。承認者の氏名を書いてください。")
        }
        var drill = false
        if let text = try reader.text(map["drill"], "drill", max: 10) {
            guard let flag = ConcernReportFile.flag(text) else { throw Problem(path: "drill", message: "「はい」か「いいえ」で書いてください。") }
            drill = flag
        }
        var registrationID: RegistrationID?
        if let text = try reader.text(map["registrationId"], "registrationId", max: 32) {
            guard RegistrationID.isValid(text) else {
                throw Problem(path: "registrationId", message: "台帳番号は半角の英字・数字・ハイフンで 32 文字までです。")
            }
            registrationID = RegistrationID(text)
        }

        var request = ShelterRequest(name: nil)
        request.protectedBy = try reader.text(map["protectedBy"], "protectedBy", max: limits.maxShortText)
        request.careLevel = try reader.text(map["careLevel"], "careLevel", max: limits.maxShortText)
        request.careNotes = try reader.lines(map["careNotes"], "careNotes")
        if let node = map["person"] {
            guard case .mapping(let p) = node else { throw Problem(path: "person", message: "字下げした「項目名: 値」で書いてください。") }
            let person = try mapping(p, path: "person")
            request.name = try reader.text(person["name"], "person.name", max: limits.maxShortText)
            if let kana = try reader.text(person["kana"], "person.kana", max: limits.maxShortText) {
                guard kana.unicodeScalars.allSatisfy(FieldReader.isKanaReading) else {
                    throw Problem(path: "person.kana", message: "ひらがな・カタカナで書いてください。")
                }
                request.nameKana = kana
            }
            if let sex = try reader.text(person["sex"], "person.sex", max: 10) {
                guard let value = Self.sex(sex) else {
                    throw Problem(path: "person.sex", message: "男性・女性・不明（male / female / unknown）で書いてください。")
                }
                request.sex = value
            }
            if let age = try reader.text(person["age"], "person.age", max: 3) {
                guard let value = Int(age), (0...130).contains(value) else {
                    throw Problem(path: "person.age", message: "年齢は 0〜130 の数字で書いてください。")
                }
                request.age = value
            }
            if let text = try reader.text(person["dateOfBirth"], "person.dateOfBirth", max: 10) {
                guard let date = LocalDate(iso: text) else {
                    throw Problem(path: "person.dateOfBirth", message: "生年月日は 1944-05-03 の形（西暦）で書いてください。")
                }
                request.dateOfBirth = date
            }
            request.address = try reader.text(person["address"], "person.address", max: limits.maxLongText)
            request.phone = try reader.text(person["phone"], "person.phone", max: limits.maxPhoneLength)
        }
        if let node = map["contacts"] {
            guard case .sequence(let list) = node else { throw Problem(path: "contacts", message: "一覧（- で始まる行）で書いてください。") }
            for (index, item) in list.enumerated() {
                let path = "contacts[\(index)]"
                guard case .mapping(let c) = item else {
                    throw Problem(path: path, message: "{ name: …, relation: …, phone: … } の形で書いてください。")
                }
                let contact = try mapping(c, path: "contacts", shownAs: path)
                guard let name = try reader.text(contact["name"], "\(path).name", max: limits.maxShortText) else {
                    throw missing("\(path).name")
                }
                guard let phone = try reader.text(contact["phone"], "\(path).phone", max: limits.maxPhoneLength) else {
                    throw missing("\(path).phone")
                }
                let relation = try reader.text(contact["relation"], "\(path).relation", max: limits.maxShortText)
                request.contacts.append(Registration.Contact(name: name, relation: relation, phone: phone))
            }
        }
        return Parsed(
            facilityID: facility, days: days, from: from, approvedBy: approvedBy, drill: drill, registrationID: registrationID,
            request: request)
    }

    static func missing(_ path: String) -> Problem { Problem(path: path, message: "ありません。必ず書いてください。") }

    static func mapping(_ mapping: Node.Mapping, path: String, shownAs shown: String? = nil) throws(Problem) -> [String: Node] {
        var out: [String: Node] = [:]
        let allowed = allowedKeys[path] ?? []
        for (key, value) in mapping {
            guard let name = key.string else { throw Problem(path: shown ?? path, message: "項目名が文字になっていません。") }
            let keyPath = (shown ?? path).isEmpty ? name : "\(shown ?? path).\(name)"
            guard allowed.contains(name) else {
                throw Problem(path: keyPath, message: "この項目名は使えません（書き間違いでは？ ここに書ける項目: \(allowed.sorted().joined(separator: ", "))）。")
            }
            guard out[name] == nil else { throw Problem(path: keyPath, message: "同じ項目が2回書かれています。どちらか一方にしてください。") }
            if value.null == nil { out[name] = value }
        }
        return out
    }

    static func sex(_ text: String) -> CaseEvent.Person.Sex? {
        switch text.lowercased() {
        case "male", "男", "男性": .male
        case "female", "女", "女性": .female
        case "unknown", "不明": .unknown
        case "other", "その他": .other
        default: nil
        }
    }

    /// Reads scalars as text (a phone's leading zero, a date, stay as written) and checks them as
    /// the case decoder checks an event's text.
    struct Reader {
        let limits: CaseEvent.Limits

        func text(_ node: Node?, _ path: String, max: Int) throws(Problem) -> String? {
            guard let node else { return nil }
            guard case .scalar(let scalar) = node else { throw Problem(path: path, message: "一つの値（1行の文字）で書いてください。") }
            let text = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { return nil }
            do {
                return try FieldReader.checkText(text, field: path, max: max)
            } catch {
                throw Self.explain(error, path: path)
            }
        }

        func lines(_ node: Node?, _ path: String) throws(Problem) -> [String] {
            guard let node else { return [] }
            guard case .sequence(let list) = node else {
                if let one = try text(node, path, max: limits.maxLongText) { return [one] }
                return []
            }
            guard list.count <= limits.maxArrayElements else {
                throw Problem(path: path, message: "多すぎます（\(limits.maxArrayElements) 個まで）。")
            }
            var out: [String] = []
            for (index, item) in list.enumerated() {
                if let line = try text(item, "\(path)[\(index)]", max: limits.maxLongText) { out.append(line) }
            }
            return out
        }

        static func explain(_ error: CaseEventError, path: String) -> Problem {
            switch error {
            case .tooLong(_, let limit): Problem(path: path, message: "長すぎます（\(limit) 文字まで）。")
            case .controlCharacter: Problem(path: path, message: "改行やタブが入っています。1行で書いてください。")
            default: Problem(path: path, message: "形が正しくありません。")
            }
        }
    }

    /// The item's name as the form calls it.
    public static func label(_ path: String) -> String? {
        let key = path.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression)
        switch key {
        case "facility": return "施設"
        case "days": return "委託期間の日数"
        case "from": return "委託期間の初日"
        case "protectedBy": return "保護した機関"
        case "approvedBy": return "承認者"
        case "registrationId": return "台帳番号"
        case "drill": return "訓練"
        case "person": return "対象者"
        case "person.name": return "氏名"
        case "person.kana": return "ふりがな"
        case "person.sex": return "性別"
        case "person.age": return "年齢"
        case "person.dateOfBirth": return "生年月日"
        case "person.address": return "住所"
        case "person.phone": return "電話"
        case "contacts": return "連絡先"
        case "contacts.name": return "連絡先の氏名"
        case "contacts.relation": return "続柄"
        case "contacts.phone": return "連絡先の電話"
        case "careLevel": return "要介護度"
        case "careNotes": return "介護の情報"
        default: return nil
        }
    }
}

extension ShelterRequest {
    /// The staff's fields, with what they left empty taken from the person's registration
    /// (what the staff wrote wins).
    public func filled(from registration: Registration) -> ShelterRequest {
        var out = self
        let person = registration.person
        out.name = name ?? person.name
        out.nameKana = nameKana ?? person.nameKana
        if sex == .unknown { out.sex = person.sex }
        out.dateOfBirth = dateOfBirth ?? person.dateOfBirth
        out.address = address ?? registration.address
        out.phone = phone ?? registration.phone
        if contacts.isEmpty { out.contacts = registration.familyContacts }
        out.careLevel = careLevel ?? registration.careLevel
        if careNotes.isEmpty { out.careNotes = registration.careNotes }
        return out
    }
}

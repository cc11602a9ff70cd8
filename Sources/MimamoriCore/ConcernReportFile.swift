import Foundation
import Yams

/// The file staff write after a phone call (`mimamori concern report FILE`), made into the
/// `mimamori.concern/1` message the daemon reads.
///
/// Staff write what the caller said; the wire fields (`schema`, `messageId`, `sequence`, `kind`,
/// `issuedAt`, `municipality`, and `reportId` when the file has none) are filled in here, and a
/// file that already has them (a web form's JSON, the sample) keeps them. The result is checked
/// with `ConcernEvent.decode` before anything is published: a typo is told to the one who made
/// it, in Japanese with the field's path, instead of being dead-lettered by the daemon.
public enum ConcernReportFile: StaffFile {
    /// A message ready to sign: the exact bytes and what they decode to.
    public struct Prepared: Sendable {
        public var body: [UInt8]
        public var event: ConcernEvent
        /// The report id was made here (the file had none): staff must be told it.
        public var madeReportID: Bool
    }

    /// Why the file cannot be used, item by item (`StaffFileProblem`).
    public typealias Problem = StaffFileProblem<ConcernReportFile>

    /// The keys a report may have, by object path; anything else is a typo that would otherwise
    /// drop a field silently (an `emial` would leave the reporter without an answer).
    static let allowedKeys: [String: Set<String>] = [
        "": [
            "schema", "messageId", "reportId", "sequence", "kind", "issuedAt", "municipality", "drill", "subject", "observation",
            "urgent", "consent", "reporter", "result",
        ],
        "subject": ["name", "address", "area"],
        "reporter": ["organization", "name", "phone", "email", "fax"],
    ]
    static let booleanKeys: Set<String> = ["urgent", "consent", "drill"]

    /// The wire message of a report file (YAML, or JSON, which a YAML reader also reads but
    /// whose numbers and flags are kept exactly as the JSON says).
    /// - Parameters:
    ///   - municipality: the town of the settings; a file naming another is refused.
    ///   - reportID: called only when the file has no `reportId`.
    public static func prepare(
        _ text: String, municipality: String, now: Date, messageID: UUID, reportID: () -> CaseID
    ) throws(Problem) -> Prepared {
        var object = try read(text)
        try checkKeys(object, path: "")
        if case .string(let kind)? = object["kind"], kind != ConcernEvent.Kind.reported.rawValue {
            throw Problem(
                path: "kind", message: "報告ファイルの種別は reported だけです。結果の登録は mimamori concern resolve で行ってください。")
        }
        if case .string(let town)? = object["municipality"], town != municipality {
            throw Problem(
                path: "municipality", message: "設定ファイルの市町村（\(municipality)）と違います。この市町村の報告だけを登録できます。")
        }
        var madeReportID = false
        func fill(_ key: String, _ value: @autoclosure () -> JSONValue) {
            if object[key] == nil || object[key] == .null { object[key] = value() }
        }
        fill("schema", .string(ConcernEvent.schema))
        fill("messageId", .string(messageID.uuidString.lowercased()))
        fill("sequence", .int(1))
        fill("kind", .string(ConcernEvent.Kind.reported.rawValue))
        fill("issuedAt", .string(Timestamp.format(now)))
        fill("municipality", .string(municipality))
        if object["reportId"] == nil || object["reportId"] == .null {
            object["reportId"] = .string(reportID().rawValue)
            madeReportID = true
        }
        var body: [UInt8] = []
        JSONValue.object(object).write(to: &body)
        do {
            return Prepared(body: body, event: try ConcernEvent.decode(body), madeReportID: madeReportID)
        } catch {
            throw explain(error)
        }
    }

    /// The `resolved` message of a recorded report: the desk's result for the reporter.
    public static func resolved(
        reportID: CaseID, sequence: Int, municipality: String, drill: Bool, result: String, now: Date, messageID: UUID
    ) throws(Problem) -> Prepared {
        var object: [String: JSONValue] = [
            "schema": .string(ConcernEvent.schema), "messageId": .string(messageID.uuidString.lowercased()),
            "reportId": .string(reportID.rawValue), "sequence": .int(sequence), "kind": .string(ConcernEvent.Kind.resolved.rawValue),
            "issuedAt": .string(Timestamp.format(now)), "municipality": .string(municipality),
            "result": .string(result.trimmingCharacters(in: .whitespacesAndNewlines)),
        ]
        if drill { object["drill"] = .bool(true) }
        var body: [UInt8] = []
        JSONValue.object(object).write(to: &body)
        do {
            return Prepared(body: body, event: try ConcernEvent.decode(body), madeReportID: false)
        } catch {
            throw explain(error)
        }
    }

    /// A report id staff can read out on the phone: `<TOWN>-C-<yyyymmdd>-<4 characters>`, the
    /// characters without look-alikes (no 0/O, 1/I).
    public static func newReportID(municipality: String, at instant: Date, using random: inout some RandomNumberGenerator) -> CaseID {
        let town = String(municipality.uppercased().map { $0 == "_" ? "-" : $0 }.prefix(40))
        let date = JapaneseCalendar.localDate(of: instant)
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        let suffix = String((0..<4).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
        return CaseID(String(format: "%@-C-%04d%02d%02d-%@", town, date.year, date.month, date.day, suffix))
    }

    // MARK: Reading the file

    /// The file as the JSON body the decoder reads, read as `prepare` reads it (phone numbers
    /// and times stay text, はい/いいえ are flags) but without filling in the wire fields: for
    /// `mimamori route` and `render`, which show what the same file would do.
    public static func body(_ text: String) throws(Problem) -> [UInt8] {
        var body: [UInt8] = []
        JSONValue.object(try read(text)).write(to: &body)
        return body
    }

    static func read(_ text: String) throws(Problem) -> [String: JSONValue] {
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if trimmed.first == "{" {
            switch JSONValue.parse(Array(text.utf8), maxDepth: CaseEvent.Limits.default.maxDepth) {
            case .success(.object(let object)): return object
            case .success: throw Problem(path: "", message: "ファイルの中身が項目のまとまり（{ … }）になっていません。")
            case .failure(.duplicateKey): throw Problem(path: "", message: "同じ項目が2回書かれています。どちらか一方にしてください。")
            case .failure: throw Problem(path: "", message: "JSON として読めません。括弧・引用符・カンマを確かめてください。")
            }
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problem(path: "", message: "YAML として読めません。字下げ（行頭の空白）と「項目名: 値」の形を確かめてください。")
        }
        guard let root, case .mapping = root, case .object(let object) = try value(root, path: "") else {
            throw Problem(path: "", message: "ファイルの中身が「項目名: 値」の並びになっていません。")
        }
        return object
    }

    /// A YAML node as JSON. Scalars stay text except the flags and `sequence`: YAML would read
    /// `phone: 0868750000` as a number and drop the leading zero, or an `issuedAt` as a date.
    static func value(_ node: Node, path: String) throws(Problem) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, child) in mapping {
                guard let name = key.string else { throw Problem(path: path, message: "項目名が文字になっていません。") }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if object[name] != nil { throw Problem(path: childPath, message: "同じ項目が2回書かれています。どちらか一方にしてください。") }
                if child.null != nil { continue }
                object[name] = try value(child, path: childPath)
            }
            return .object(object)
        case .sequence:
            throw Problem(path: path, message: "ここには一覧（- で始まる行）は書けません。")
        case .scalar(let scalar):
            let text = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
            let key = path.split(separator: ".").last.map(String.init) ?? path
            if booleanKeys.contains(key) && !path.contains(".") {
                guard let flag = flag(text) else {
                    throw Problem(path: path, message: "「はい」か「いいえ」（true / false、あり / なし）で書いてください。")
                }
                return .bool(flag)
            }
            if path == "sequence" {
                guard let number = Int(text) else { throw Problem(path: path, message: "数字で書いてください。") }
                return .int(number)
            }
            return .string(text)
        case .alias:
            throw Problem(path: path, message: "YAML の別名（* や &）は使えません。値をそのまま書いてください。")
        }
    }

    static func flag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "はい", "あり", "有", "有り": true
        case "false", "no", "いいえ", "なし", "無", "無し": false
        default: nil
        }
    }

    static func checkKeys(_ object: [String: JSONValue], path: String) throws(Problem) {
        guard let allowed = allowedKeys[path] else { return }
        for key in object.keys.sorted() where !allowed.contains(key) {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            throw Problem(
                path: keyPath, message: "この項目名は使えません（書き間違いでは？ ここに書ける項目: \(allowed.sorted().joined(separator: ", "))）。")
        }
        for (key, value) in object {
            if case .object(let child) = value { try checkKeys(child, path: path.isEmpty ? key : "\(path).\(key)") }
        }
    }

    // MARK: Japanese for the decoder's reasons

    /// The item's name as the seed's form calls it (section 7).
    public static func label(_ path: String) -> String? {
        switch path {
        case "schema": "スキーマ"
        case "messageId": "メッセージID"
        case "reportId": "受付番号"
        case "sequence": "通番"
        case "kind": "種別"
        case "issuedAt": "発行日時"
        case "municipality": "市町村"
        case "drill": "訓練"
        case "subject": "対象者"
        case "subject.name": "対象者の氏名"
        case "subject.address": "対象者の住所または目印"
        case "subject.area": "対象者の地区"
        case "observation": "情報提供内容"
        case "urgent": "緊急対応の有無"
        case "consent": "情報提供同意有無"
        case "reporter": "情報提供者"
        case "reporter.organization": "協力団体名"
        case "reporter.name": "情報提供者氏名"
        case "reporter.phone": "電話番号"
        case "reporter.email": "結果を送るメールアドレス"
        case "reporter.fax": "結果を送るFAX番号"
        case "result": "対応結果"
        default: nil
        }
    }

    /// The decoder's reason, said for the staff member who wrote the file.
    public static func explain(_ error: CaseEventError) -> Problem {
        func expected(_ type: String) -> String {
            switch type {
            case "string": "文字"
            case "boolean": "はい / いいえ（true / false）"
            case "integer": "整数"
            case "object": "項目のまとまり（字下げした「項目名: 値」）"
            default: type
            }
        }
        switch error {
        case .oversized(_, let limit): return Problem(path: "", message: "ファイルが大きすぎます（\(limit) バイトまで）。")
        case .invalidUTF8, .notJSON, .notAnObject: return Problem(path: "", message: "ファイルが UTF-8 の JSON として読めません。")
        case .tooDeep: return Problem(path: "", message: "項目の入れ子が深すぎます。")
        case .duplicateKey: return Problem(path: "", message: "同じ項目が2回書かれています。どちらか一方にしてください。")
        case .unknownSchema: return Problem(path: "schema", message: "\(ConcernEvent.schema) としてください（省略もできます）。")
        case .missing(let f): return Problem(path: f, message: "ありません。必ず書いてください。")
        case .wrongType(let f, let type): return Problem(path: f, message: "\(expected(type))で書いてください。")
        case .outOfRange(let f): return Problem(path: f, message: "書ける値の範囲を外れています。")
        case .invalid(let f): return Problem(path: f, message: formHint(f))
        case .tooLong(let f, let limit): return Problem(path: f, message: "長すぎます（\(limit) 文字まで）。要点を短くまとめてください。")
        case .tooMany(let f, let limit): return Problem(path: f, message: "多すぎます（\(limit) 個まで）。")
        case .controlCharacter(let f):
            return Problem(path: f, message: "改行やタブが入っています。通知の一つの欄に載るよう、1行で書いてください。")
        case .badTime(let f): return Problem(path: f, message: "日時は 2026-12-02T10:20:00+09:00 の形で書いてください（省略すると今の時刻）。")
        case .photoTooLarge: return Problem(path: "", message: "写真は付けられません。")
        case .unexpected(let f): return Problem(path: f, message: "この種別の報告には書けません。")
        }
    }

    static func formHint(_ field: String) -> String {
        switch field {
        case "reporter.phone": "電話番号の形になっていません。数字とハイフン（0868-75-0000）で書いてください。"
        case "reporter.email": "メールアドレスの形になっていません（例: tenpo@example.jp）。"
        case "reporter.fax": "FAX番号の形になっていません。数字とハイフンで書いてください。"
        case "reportId": "受付番号は半角の英字・数字・ハイフンで 64 文字までです（省略すると自動で付けます）。"
        case "messageId": "UUID の形になっていません（省略すると自動で付けます）。"
        case "municipality": "半角の英小文字・数字・ハイフンで書いてください（省略すると設定ファイルの市町村）。"
        default: "形が正しくありません。"
        }
    }
}

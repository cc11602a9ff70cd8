import Foundation
import Yams

extension RegistrationFile {
    /// One person's form in YAML (`config/samples/registration.yaml`). Scalars are read as text
    /// (YAML would make `phone: 0734890000` a number and drop its zero, and `born: 1944-05-12` a
    /// timestamp); a key the form does not know is a problem, since a typo would drop an item.
    public static func yaml(_ text: String, today: LocalDate) throws(Problems) -> Form {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problems([
                Problem(path: "", message: "YAML として読めません。字下げ（行頭の空白）と「項目名: 値」の形を確かめてください。")
            ])
        }
        guard let root, case .mapping(let top) = root else {
            throw Problems([Problem(path: "", message: "ファイルの中身が「項目名: 値」の並びになっていません。")])
        }
        var walker = YAMLWalker()
        walker.walk(top, section: "")
        var reader = FormReader(locate: yamlLocation, splitsCells: false, today: today)
        reader.problems = walker.problems
        let form = reader.form(walker.raw, origin: "")
        guard let form, reader.problems.isEmpty else { throw Problems(reader.problems) }
        return form
    }

    /// `person.born（生年月日）`, `family.phone（家族の連絡先・2件目）`.
    static func yamlLocation(_ field: Field, _ item: Int?, _ key: String?) -> String {
        var path = field.yamlPath
        if let key { path += ".\(key)" }
        return "\(path)（\(field.column)\(item.map { "・\($0 + 1)件目" } ?? "")）"
    }

    /// The YAML keys of each item, and the keys an item of a list may have.
    static let yamlFields: [String: Field] = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.yamlPath, $0) })
    static let yamlSections: Set<String> = Set(
        Field.allCases.compactMap { $0.yamlPath.split(separator: ".").dropLast().first.map(String.init) })
    static let itemKeys: [Field: [String]] = [.places: ["name", "area"], .family: ["name", "relation", "phone"]]

    struct YAMLWalker {
        var raw: [Field: Raw] = [:]
        var problems: [Problem] = []

        mutating func problem(_ path: String, _ message: String) { problems.append(Problem(path: path, message: message)) }

        func allowed(in section: String) -> [String] {
            let prefix = section.isEmpty ? "" : section + "."
            var keys = Set(
                RegistrationFile.yamlFields.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
                    .filter { !$0.contains(".") })
            if section.isEmpty { keys.formUnion(RegistrationFile.yamlSections) }
            return keys.sorted()
        }

        mutating func walk(_ mapping: Node.Mapping, section: String) {
            var seen: Set<String> = []
            for (key, child) in mapping {
                guard let name = key.string else {
                    problem(section, "項目名が文字になっていません。")
                    continue
                }
                let path = section.isEmpty ? name : "\(section).\(name)"
                guard seen.insert(name).inserted else {
                    problem(path, "同じ項目が2回書かれています。どちらか一方にしてください。")
                    continue
                }
                if child.null != nil { continue }
                if let field = RegistrationFile.yamlFields[path] {
                    if let value = value(child, field: field, path: RegistrationFile.yamlLocation(field, nil, nil)) { raw[field] = value }
                } else if section.isEmpty, RegistrationFile.yamlSections.contains(name) {
                    guard case .mapping(let inner) = child else {
                        problem(path, "ここは字下げした「項目名: 値」で書いてください（書ける項目: \(allowed(in: name).joined(separator: ", "))）。")
                        continue
                    }
                    walk(inner, section: name)
                } else {
                    problem(path, "この項目名は使えません（書き間違いでは？ ここに書ける項目: \(allowed(in: section).joined(separator: ", "))）。")
                }
            }
        }

        mutating func value(_ node: Node, field: Field, path: String) -> Raw? {
            switch node {
            case .scalar(let scalar): return .text(scalar.string)
            case .alias:
                problem(path, "YAML の別名（* や &）は使えません。値をそのまま書いてください。")
                return nil
            case .sequence(let sequence):
                guard field.isList else {
                    problem(path, "ここには一つの値だけを書いてください（一覧は書けません）。")
                    return nil
                }
                var items: [Raw] = []
                for (index, element) in sequence.enumerated() where element.null == nil {
                    if let item = item(element, field: field, path: RegistrationFile.yamlLocation(field, index, nil)) { items.append(item) }
                }
                return .items(items)
            case .mapping:
                guard field.isList else {
                    problem(path, "ここには一つの値だけを書いてください（「項目名: 値」は書けません）。")
                    return nil
                }
                return item(node, field: field, path: path)
            }
        }

        /// One value of a list: text, or for places and family a mapping of their keys.
        mutating func item(_ node: Node, field: Field, path: String) -> Raw? {
            switch node {
            case .scalar(let scalar): return .text(scalar.string)
            case .mapping(let mapping):
                guard let keys = RegistrationFile.itemKeys[field] else {
                    problem(path, "ここには文だけを書いてください（「項目名: 値」は書けません）。")
                    return nil
                }
                var object: [String: String] = [:]
                for (key, child) in mapping {
                    guard let name = key.string, keys.contains(name) else {
                        problem(path, "この項目名は使えません（書ける項目: \(keys.joined(separator: ", "))）。")
                        continue
                    }
                    if child.null != nil { continue }
                    guard case .scalar(let scalar) = child else {
                        problem(path, "\(name) には一つの値だけを書いてください。")
                        continue
                    }
                    object[name] = scalar.string
                }
                return .object(object)
            case .sequence, .alias:
                problem(path, "一覧の中に一覧は書けません。")
                return nil
            }
        }
    }
}

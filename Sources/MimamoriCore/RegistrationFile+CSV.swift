import Foundation

extension RegistrationFile {
    /// The CSV a spreadsheet of 様式第1号 exports: a header row in the form's words (氏名, ふりがな,
    /// 性別, 生年月日, …, `Field.column`), one row per person; UTF-8, UTF-8 with BOM or CP932 (Excel's
    /// "CSV (コンマ区切り)"), read as `cooperators.csv` is. Blank rows and empty trailing columns
    /// are skipped; a cell of several values (特徴, よく行く場所, 介護の情報, 家族の連絡先) is split on
    /// 、 ; ／ or a line break inside the cell.
    public static func csv(_ bytes: Data, today: LocalDate) throws(Problems) -> [Form] {
        guard let (text, _) = CSVRecords.decode(bytes) else {
            throw Problems([
                Problem(
                    path: "",
                    message: "文字コードが UTF-8 でも Shift_JIS（CP932）でもありません。Excel で「CSV UTF-8」か「CSV（コンマ区切り）」で保存し直してください。")
            ])
        }
        var records = CSVRecords.parse(text).filter { !$0.fields.allSatisfy { FormReader.clean($0) == nil } }
        guard !records.isEmpty else { throw Problems([Problem(path: "", message: "ファイルが空です。1行目に見出し（氏名, ふりがな, …）が必要です。")]) }
        let header = records.removeFirst()
        var problems: [Problem] = []
        if let problem = header.problem { problems.append(Problem(path: "\(header.line)行目", message: csvProblem(problem))) }

        var columns: [Int: Field] = [:]
        for (index, cell) in header.fields.enumerated() {
            let heading = cell.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
            if heading.isEmpty { continue }
            guard let field = Field.allCases.first(where: { $0.column == heading }) ?? Field.columnAliases[heading] else {
                problems.append(
                    Problem(
                        path: "\(header.line)行目 \(index + 1)列目",
                        message: "見出し「\(heading)」は様式第1号の項目ではありません（使える見出し: \(Field.allCases.map(\.column).joined(separator: ", "))）。"))
                continue
            }
            if columns.values.contains(field) {
                problems.append(Problem(path: "\(header.line)行目 \(index + 1)列目", message: "見出し「\(field.column)」が2回あります。"))
                continue
            }
            columns[index] = field
        }
        for field in Field.requiredColumns where !columns.values.contains(field) {
            problems.append(Problem(path: "\(header.line)行目", message: "「\(field.column)」の列がありません。見出しの行に加えてください。"))
        }
        guard problems.isEmpty else { throw Problems(problems) }

        var forms: [Form] = []
        var people: [Registration.Person: Int] = [:]
        var ids: [RegistrationID: Int] = [:]
        for record in records {
            let line = "\(record.line)行目"
            if let problem = record.problem {
                problems.append(Problem(path: line, message: csvProblem(problem)))
                continue
            }
            var raw: [Field: Raw] = [:]
            var stray = false
            for (index, cell) in record.fields.enumerated() {
                guard let field = columns[index] else {
                    if FormReader.clean(cell) != nil { stray = true }
                    continue
                }
                if FormReader.clean(cell) != nil { raw[field] = .text(cell) }
            }
            if stray { problems.append(Problem(path: line, message: "見出しのない列に値があります。列がずれていないか確かめてください。")) }
            var reader = FormReader(
                locate: { field, item, _ in "\(line) \(field.column)\(item.map { "（\($0 + 1)件目）" } ?? "")" }, splitsCells: true,
                today: today)
            let form = reader.form(raw, origin: line)
            problems += reader.problems
            guard let form else { continue }
            let key = Registration.Person(name: form.person.name, nameKana: "", sex: .unknown, dateOfBirth: form.person.dateOfBirth)
            if let first = people[key] {
                problems.append(Problem(path: line, message: "\(first)行目と同じ人です（氏名と生年月日が同じ）。どちらか一方にしてください。"))
                continue
            }
            people[key] = record.line
            if let id = form.id {
                if let first = ids[id] {
                    problems.append(Problem(path: "\(line) 台帳番号", message: "\(first)行目と同じ台帳番号です。"))
                    continue
                }
                ids[id] = record.line
            }
            forms.append(form)
        }
        guard problems.isEmpty else { throw Problems(problems) }
        guard !forms.isEmpty else { throw Problems([Problem(path: "", message: "登録する人の行がありません（見出しの行だけです）。")]) }
        return forms
    }

    static func csvProblem(_ problem: String) -> String {
        problem.contains("not closed")
            ? "引用符（\"）が閉じていません。セルの中の引用符を確かめてください。"
            : "閉じた引用符（\"）の後に文字があります。セルの中の引用符を確かめてください。"
    }
}

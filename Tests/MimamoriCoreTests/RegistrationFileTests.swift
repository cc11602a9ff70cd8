import Foundation
import Testing

@testable import MimamoriCore

/// `RegistrationFile`: the form staff hand in (YAML for one person, or a spreadsheet's CSV of
/// 様式第1号 in UTF-8, UTF-8 with BOM or CP932) read into forms, or every problem at once in
/// Japanese with where it is and never the value.
@Suite("registration file: 様式第1号 as YAML or a spreadsheet's CSV")
struct RegistrationFileTests {
    static let today = LocalDate(2026, 12, 3)
    static let repository = Files.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) throws -> Data {
        try Data(contentsOf: repository.appendingPathComponent("config/samples").appendingPathComponent(name))
    }

    func problems(_ bytes: Data, _ format: RegistrationFile.Format) -> [RegistrationFile.Problem] {
        do {
            _ = try RegistrationFile.read(bytes, format: format, today: Self.today)
            return []
        } catch {
            return error.problems
        }
    }

    func problems(yaml: String) -> [String] { problems(Data(yaml.utf8), .yaml).map(\.description) }
    func problems(csv: String) -> [String] { problems(Data(csv.utf8), .csv).map(\.description) }

    // MARK: YAML

    @Test("the YAML sample: every item, dates in 和暦, the phone as text, places with their areas, the photo by its file")
    func yamlSample() throws {
        let forms = try RegistrationFile.read(try Self.sample("registration.yaml"), format: .yaml, today: Self.today)
        #expect(forms.count == 1)
        let form = try #require(forms.first)
        #expect(form.id == RegistrationID("R2026-0001") && form.origin.isEmpty)
        #expect(
            form.person
                == Registration.Person(
                    name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, dateOfBirth: LocalDate(1944, 5, 12), heightCm: 148,
                    build: "やせ型", hair: "白髪まじりの短髪", features: ["右ほほにほくろ"], residenceArea: "野上"))
        #expect(form.address == "和歌山県海草郡紀美野町動木 0000番地（架空）", "the family's full-width brackets are kept")
        #expect(form.phone == "073-555-0000")
        #expect(form.photo == RegistrationFile.PhotoReference(file: "hanako.jpg", consentForNotices: true, location: "photo.file（写真）"))
        #expect(
            form.frequentedPlaces == [.init(name: "道の駅 美里の湯かじか荘", area: "美里"), .init(name: "JA紀美野 野上支所", area: "野上")])
        #expect(form.careLevel == "要介護2" && form.careNotes.count == 3 && form.careNotes[1] == "「ふるさと」を一緒に歌うと落ち着く")
        #expect(
            form.familyContacts == [
                .init(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0000"),
                .init(name: "紀美野 良子", relation: "長女", phone: "090-0000-0001"),
            ])
        #expect(form.registrant == .init(name: "紀美野 一郎", relation: "長男", phone: "090-0000-0000"))
        #expect(form.registeredOn == LocalDate(2026, 4, 1) && form.confirmedOn == nil)

        let registration = form.registration(id: RegistrationID("R2026-0001"), today: Self.today, photo: nil)
        #expect(registration.registeredOn == LocalDate(2026, 4, 1) && registration.confirmedOn == LocalDate(2026, 4, 1))
    }

    @Test(
        "the least a YAML form needs; registered today and confirmed then when it does not say; a phone YAML would read as a number keeps its zero"
    )
    func minimalYAML() throws {
        let form = try RegistrationFile.yaml(
            """
            person: { name: 見守 太郎, kana: ミマモリ タロウ, sex: 男, born: 1941/1/2 }
            registrant: { name: 見守 一郎, phone: 0734890000 }
            """, today: Self.today)
        #expect(form.id == nil && form.person.sex == .male && form.person.dateOfBirth == LocalDate(1941, 1, 2))
        #expect(form.registrant == .init(name: "見守 一郎", phone: "0734890000"))
        #expect(form.photo == nil && form.frequentedPlaces.isEmpty && form.familyContacts.isEmpty)
        let registration = form.registration(id: RegistrationID("R2026-0009"), today: Self.today, photo: nil)
        #expect(registration.registeredOn == Self.today && registration.confirmedOn == Self.today)
    }

    @Test("lists may be written as text (一か所だけ), places and family as 「名前（地区）」「氏名（続柄）電話」; a single value is a list of one")
    func yamlShortForms() throws {
        let form = try RegistrationFile.yaml(
            """
            person: { name: 見守 花, kana: みまもり はな, sex: female, born: 昭和20年1月1日, features: 杖を使う、眼鏡 }
            places: [道の駅 美里の湯かじか荘（美里）, 野上の診療所]
            family: 見守 一郎（長男）０９０－１２３４－５６７８
            care: { notes: 耳が遠い }
            registrant: { name: 見守 一郎, relation: 長男, phone: 090-1234-5678 }
            """, today: Self.today)
        #expect(form.person.features == ["杖を使う、眼鏡"], "YAML has lists: a text is one value, never split")
        #expect(form.frequentedPlaces == [.init(name: "道の駅 美里の湯かじか荘", area: "美里"), .init(name: "野上の診療所")])
        #expect(form.familyContacts == [.init(name: "見守 一郎", relation: "長男", phone: "090-1234-5678")])
        #expect(form.careNotes == ["耳が遠い"])
    }

    @Test("every problem of a YAML file at once, each with its path and the form's label, none with the value")
    func yamlProblemsAtOnce() {
        let found = problems(
            yaml: """
                person:
                  name: 見守 花
                  kana: 見守はな
                  sex: たぶん女
                  born: 昭和64年1月8日
                  height: 150センチくらい
                  hieght: 150
                phone: 073-ABC-0000
                photo: { file: hana.jpg }
                family:
                  - { name: 見守 一郎, phone: 0120 }
                registrant: { name: 見守 一郎 }
                registered: 2027-01-01
                confirmed: 2026-02-30
                """)
        let expected = [
            "person.hieght: この項目名は使えません",
            "person.kana（ふりがな）: ひらがなかカタカナで",
            "person.sex（性別）: 女・男",
            "person.born（生年月日）: 元号と年月日が合いません（昭和は元年12月25日から64年1月7日までです）",
            "person.height（身長）: 50 から 250",
            "phone（電話）: 電話番号の形になっていません",
            "photo.consent（写真の使用に同意）: 写真があるときは",
            "family.phone（家族の連絡先・1件目）: 電話番号の形",
            "registrant.phone（届出者の電話）: ありません。必ず書いてください。",
            "registered（登録日）: 今日より後の日付です。",
            "confirmed（確認日）: その年月日はありません",
        ]
        for words in expected {
            #expect(found.contains { $0.hasPrefix(words) || $0.contains(words) }, "\(words)\n\(found.joined(separator: "\n"))")
        }
        #expect(found.count == expected.count, "\(found.joined(separator: "\n"))")
        for value in ["見守はな", "たぶん", "150センチくらい", "ABC", "hana.jpg", "0120", "2027-01-01", "2026-02-30"] {
            #expect(!found.joined().contains(value), "a problem echoes \(value)")
        }
    }

    @Test(
        "a file that is not YAML, not a mapping, a list where one value goes, a duplicate key, a list in a list, a key inside a place it does not have"
    )
    func yamlShapes() {
        #expect(problems(yaml: "person: [見守\n  :") == ["YAML として読めません。字下げ（行頭の空白）と「項目名: 値」の形を確かめてください。"])
        #expect(problems(yaml: "- 見守 花") == ["ファイルの中身が「項目名: 値」の並びになっていません。"])
        let base =
            "person: { name: 見守 花, kana: みまもり はな, sex: female, born: 1945-01-01 }\nregistrant: { name: 見守 一郎, phone: 090-1234-5678 }\n"
        #expect(problems(yaml: base + "address: [一丁目, 二丁目]").first?.hasPrefix("address（住所）: ここには一つの値だけ") == true)
        #expect(
            problems(yaml: base + "address: 一丁目\naddress: 二丁目").first?.hasPrefix("YAML として読めません") == true, "Yams refuses a duplicate key")
        #expect(problems(yaml: base + "family: [[見守 一郎, 090-1234-5678]]") == ["family（家族の連絡先・1件目）: 一覧の中に一覧は書けません。"])
        #expect(problems(yaml: base + "places: [{ name: 道の駅, town: 美里 }]").contains { $0.contains("この項目名は使えません（書ける項目: name, area）") })
        #expect(problems(yaml: base + "person2: 1").contains { $0.hasPrefix("person2: この項目名は使えません") })
        #expect(problems(yaml: base + "care: 要介護2").contains { $0.hasPrefix("care: ここは字下げした") })
        #expect(problems(yaml: base).isEmpty)
    }

    @Test("the limits of a case event: 100 characters of a name, 200 of a note, 20 notes")
    func limits() {
        let base = "registrant: { name: 見守 一郎, phone: 090-1234-5678 }\n"
        let long = String(repeating: "あ", count: 101)
        #expect(
            problems(yaml: base + "person: { name: \(long), kana: みまもり, sex: f, born: 1945-01-01 }").first?.hasPrefix(
                "person.name（氏名）: 長すぎます（100 文字まで）") == true)
        let notes = (1...21).map { "- 注意\($0)" }.joined(separator: "\n  ")
        #expect(
            problems(yaml: base + "person: { name: 見守, kana: みまもり, sex: f, born: 1945-01-01 }\ncare:\n  notes:\n  \(notes)").first?
                .hasPrefix("care.notes（介護の情報）: 多すぎます（20 件まで）") == true)
    }

    // MARK: CSV

    static let header = "氏名,ふりがな,性別,生年月日,身長,体格,髪型,特徴,地区,住所,電話,よく行く場所,要介護度,介護の情報,家族の連絡先,届出者,続柄,届出者の電話,登録日,写真,写真の使用に同意"

    /// `Fixtures/registration-cp932.csv`, made with `printf … | iconv -f UTF-8 -t CP932`: 髙 and 﨑
    /// (IBM/NEC extensions), CRLF, a blank line and a row of empty cells, trailing commas, a
    /// quoted cell over two lines, full-width digits and dashes, 和暦, ; ／ 、 separators.
    @Test("a CP932 export with real CP932 bytes: extension characters, blank and empty rows, trailing commas, full-width digits, 和暦")
    func cp932Export() throws {
        let bytes = try Files.fixture("registration-cp932.csv")
        #expect(String(validating: bytes, as: UTF8.self) == nil && bytes.contains(0xFB) && bytes.contains(0xFA))
        let forms = try RegistrationFile.csv(bytes, today: Self.today)
        #expect(forms.map(\.origin) == ["3行目", "6行目"], "the line each person starts on, blank lines counted")
        let hana = forms[0]
        #expect(hana.person.name == "髙橋 ハナ" && hana.person.nameKana == "たかはし はな" && hana.person.sex == .female)
        #expect(hana.person.dateOfBirth == LocalDate(1942, 3, 9) && hana.person.heightCm == 150)
        #expect(hana.person.features == ["杖を使う", "眼鏡"] && hana.person.residenceArea == "紀美野町野上")
        #expect(hana.frequentedPlaces == [.init(name: "道の駅 美里の湯かじか荘", area: "美里"), .init(name: "JA紀美野 野上支所", area: "野上")])
        #expect(hana.careNotes == ["耳が遠い", "ゆっくり話しかける"])
        #expect(
            hana.familyContacts == [
                .init(name: "髙橋 一郎", relation: "長男", phone: "090-0101-0101"), .init(name: "山﨑 花", relation: "長女", phone: "090-0101-0102"),
            ])
        #expect(hana.registrant == .init(name: "髙橋 一郎", relation: "長男", phone: "090-0101-0101"))
        #expect(hana.registeredOn == LocalDate(2026, 4, 1) && hana.photo == nil)
        let jiro = forms[1]
        #expect(jiro.person.name == "山﨑 次郎" && jiro.person.nameKana == "ヤマサキ ジロウ" && jiro.person.sex == .male)
        #expect(jiro.person.dateOfBirth == LocalDate(1939, 12, 1) && jiro.person.heightCm == nil && jiro.careNotes.isEmpty)
        #expect(jiro.photo == nil, "a consent without a photo is no photo")
    }

    @Test("the same rows as UTF-8 and as UTF-8 with BOM read the same as the CP932 export")
    func threeEncodings() throws {
        let cp932 = try Files.fixture("registration-cp932.csv")
        let text = try #require(String(data: cp932, encoding: .shiftJIS))
        let utf8 = try RegistrationFile.csv(Data(text.utf8), today: Self.today)
        let bom = try RegistrationFile.csv(Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)), today: Self.today)
        let original = try RegistrationFile.csv(cp932, today: Self.today)
        #expect(utf8 == original && bom == original)
    }

    @Test("the CP932 sample of the form (config/samples/registration-form.csv) reads; two persons")
    func csvSample() throws {
        let bytes = try Self.sample("registration-form.csv")
        #expect(String(validating: bytes, as: UTF8.self) == nil, "the sample is Excel's CP932 CSV")
        let forms = try RegistrationFile.csv(bytes, today: Self.today)
        #expect(forms.map(\.person.name) == ["紀美野 太郎", "海南 ハル"])
        #expect(forms[0].person.heightCm == 162 && forms[0].person.dateOfBirth == LocalDate(1940, 8, 3))
        #expect(forms[1].familyContacts.count == 2 && forms[1].phone == nil)
    }

    @Test("a required column missing is named; an unknown or doubled heading is named; nothing of the file is read")
    func missingColumns() {
        let noBirth = Self.header.replacingOccurrences(of: "生年月日,", with: "") + "\n見守 花,みまもり はな,女,150\n"
        #expect(problems(csv: noBirth) == ["1行目: 「生年月日」の列がありません。見出しの行に加えてください。"])
        let noRegistrant = "氏名,ふりがな,性別,生年月日\n見守 花,みまもり はな,女,1945-01-01\n"
        #expect(
            problems(csv: noRegistrant) == [
                "1行目: 「届出者」の列がありません。見出しの行に加えてください。", "1行目: 「届出者の電話」の列がありません。見出しの行に加えてください。",
            ])
        let typo = Self.header.replacingOccurrences(of: "髪型", with: "髪形") + "\n"
        #expect(problems(csv: typo).first?.hasPrefix("1行目 7列目: 見出し「髪形」は様式第1号の項目ではありません") == true)
        let twice = Self.header + ",氏名\n"
        #expect(problems(csv: twice) == ["1行目 22列目: 見出し「氏名」が2回あります。"])
        #expect(problems(csv: Self.header + "\n\n") == ["登録する人の行がありません（見出しの行だけです）。"])
        #expect(problems(csv: "\n\n") == ["ファイルが空です。1行目に見出し（氏名, ふりがな, …）が必要です。"])
        #expect(problems(Data([0x82, 0xA0, 0xFF, 0xFF]), .csv).first?.message.hasPrefix("文字コードが UTF-8 でも Shift_JIS") == true)
    }

    @Test("headings as spreadsheets write them: フリガナ, 電話番号, full-width or spaced; columns in any order; only the required ones")
    func headingVariants() throws {
        let csv = "届出者の電話 , 届出者,生年月日,性　別,フリガナ,氏名\n090-1234-5678,見守 一郎,S20.1.1,F,ミマモリ ハナ,見守 花\n"
        let forms = try RegistrationFile.csv(Data(csv.utf8), today: Self.today)
        #expect(forms.first?.person.dateOfBirth == LocalDate(1945, 1, 1) && forms.first?.person.sex == .female)
        #expect(forms.first?.registrant == .init(name: "見守 一郎", phone: "090-1234-5678"))
    }

    @Test("row problems name the row and the column; a broken quote, a value under no heading, the same person twice, an id twice")
    func rowProblems() {
        let rows = [
            "見守 花,みまもり はな,女,昭和20年2月30日,150,,,,,,,,,,,見守 一郎,長男,090-1234-5678,,,",
            "見守 次郎,みまもり じろう,男,1940-01-01,,,,,,,,,,,見守に連絡,見守 一郎,長男,090-1234-5678,,次郎.jpg,",
            "見守 三郎,みまもり さぶろう,男,1940-01-01,,,,,,,,,,,,見守 一郎,長男,090-1234-5678,,,,余計な値",
            "\"見守 四郎,みまもり しろう,男,1940-01-01",
        ]
        let found = problems(csv: Self.header + "\n" + rows.joined(separator: "\n") + "\n")
        #expect(
            found == [
                "2行目 生年月日: その年月日はありません（月は 1〜12、日はその月の日数まで）。",
                "3行目 家族の連絡先（1件目）: 「氏名（続柄）電話番号」の形で書いてください（例: 紀美野一郎（長男）090-1234-5678）。",
                "3行目 写真の使用に同意: 写真があるときは、お知らせに写真を載せることへの同意を はい か いいえ で書いてください。",
                "4行目: 見出しのない列に値があります。列がずれていないか確かめてください。",
                "5行目: 引用符（\"）が閉じていません。セルの中の引用符を確かめてください。",
            ], "\(found.joined(separator: "\n"))")
        let twice = [
            "見守 花,みまもり はな,女,1945-01-01,,,,,,,,,,,,見守 一郎,長男,090-1234-5678,,,",
            "見守 花,ミマモリ ハナ,女,1945/1/1,,,,,,,,,,,,見守 二郎,次男,090-1234-0000,,,",
        ]
        #expect(problems(csv: Self.header + "\n" + twice.joined(separator: "\n")) == ["3行目: 2行目と同じ人です（氏名と生年月日が同じ）。どちらか一方にしてください。"])
        let ids =
            "台帳番号," + Self.header
            + "\nR1,見守 花,みまもり はな,女,1945-01-01,,,,,,,,,,,,見守 一郎,長男,090-1234-5678\nR1,見守 月,みまもり つき,女,1946-01-01,,,,,,,,,,,,見守 一郎,長男,090-1234-5678\n"
        #expect(problems(csv: ids) == ["3行目 台帳番号: 2行目と同じ台帳番号です。"])
    }

    @Test("a CSV photo and its consent; the photo's path is where its problem is told")
    func csvPhoto() throws {
        let row = "見守 花,みまもり はな,女,1945-01-01,,,,,,,,,,,,見守 一郎,長男,090-1234-5678,,hana.jpg,○"
        let form = try #require(try RegistrationFile.csv(Data((Self.header + "\n" + row).utf8), today: Self.today).first)
        #expect(form.photo == .init(file: "hana.jpg", consentForNotices: true, location: "2行目 写真"))
    }

    // MARK: Values

    @Test(
        "dates as staff write them: ISO, a spreadsheet's 1944/5/12, 西暦 in kanji, 和暦 with 元年, initials, ㍼, full-width digits",
        arguments: [
            ("1944-05-12", LocalDate(1944, 5, 12)), ("1944/5/12", LocalDate(1944, 5, 12)), ("1944.5.12", LocalDate(1944, 5, 12)),
            ("1944年5月12日", LocalDate(1944, 5, 12)), ("昭和19年5月12日", LocalDate(1944, 5, 12)), ("昭和１９年５月１２日", LocalDate(1944, 5, 12)),
            ("S19.5.12", LocalDate(1944, 5, 12)), ("s19/5/12", LocalDate(1944, 5, 12)), ("㍼19年5月12日", LocalDate(1944, 5, 12)),
            ("昭和 19年 5月 12日", LocalDate(1944, 5, 12)), ("昭和元年12月25日", LocalDate(1926, 12, 25)),
            ("昭和64年1月7日", LocalDate(1989, 1, 7)), ("平成元年1月8日", LocalDate(1989, 1, 8)), ("H31.4.30", LocalDate(2019, 4, 30)),
            ("令和元年5月1日", LocalDate(2019, 5, 1)), ("R8.4.1", LocalDate(2026, 4, 1)), ("大正15年12月24日", LocalDate(1926, 12, 24)),
            ("大正元年7月30日", LocalDate(1912, 7, 30)), ("明治45年7月29日", LocalDate(1912, 7, 29)), ("平成4年2月29日", LocalDate(1992, 2, 29)),
        ])
    func dates(_ text: String, _ expected: LocalDate) throws {
        #expect(try RegistrationFile.date(text).get() == expected, "\(text)")
    }

    @Test(
        "a day outside its era is refused with the era's span; no such day; not a date",
        arguments: [
            ("昭和64年1月8日", "元号と年月日が合いません（昭和は元年12月25日から64年1月7日までです）。"),
            ("平成31年5月1日", "元号と年月日が合いません（平成は元年1月8日から31年4月30日までです）。"),
            ("令和元年4月30日", "元号と年月日が合いません（令和は元年5月1日からです）。"),
            ("大正元年7月29日", "元号と年月日が合いません（大正は元年7月30日から15年12月24日までです）。"),
            ("明治46年1月1日", "元号と年月日が合いません（明治は元年1月1日から45年7月29日までです）。"),
            ("平成5年2月29日", "その年月日はありません（月は 1〜12、日はその月の日数まで）。"),
            ("2027-02-29", "その年月日はありません（月は 1〜12、日はその月の日数まで）。"),
            ("1944/13/1", "その年月日はありません（月は 1〜12、日はその月の日数まで）。"),
            ("昭和0年1月1日", "元号と年月日が合いません（昭和は元年12月25日から64年1月7日までです）。"),
            ("去年の春", "日付として読めません。1944-05-12、1944/5/12 か 昭和19年5月12日 の形で書いてください。"),
            ("19440512", "日付として読めません。1944-05-12、1944/5/12 か 昭和19年5月12日 の形で書いてください。"),
            ("天保3年1月1日", "日付として読めません。1944-05-12、1944/5/12 か 昭和19年5月12日 の形で書いてください。"),
        ])
    func badDates(_ text: String, _ message: String) {
        guard case .failure(let problem) = RegistrationFile.date(text) else {
            Issue.record("\(text) was read as a date")
            return
        }
        #expect(problem.message == message, "\(text)")
    }

    @Test("every day from 明治45年 to 令和20年 in 和暦 reads back as itself; the eras meet without a gap or an overlap")
    func everyDayRoundTrips() throws {
        var day = LocalDate(1912, 1, 1)
        while day <= LocalDate(2038, 12, 31) {
            let written = try #require(JapaneseEra.format(day))
            guard (try? RegistrationFile.date(written).get()) == day else {
                Issue.record("\(day) written \(written) does not read back")
                return
            }
            day = day.adding(days: 1)
        }
        for (era, next) in zip(JapaneseEra.all, JapaneseEra.all.dropFirst()) {
            #expect(era.nextFirstDay == next.firstDay)
            #expect(JapaneseEra.of(next.firstDay.adding(days: -1)) == era && JapaneseEra.of(next.firstDay) == next)
        }
        #expect(JapaneseEra.format(LocalDate(1926, 12, 25)) == "昭和元年12月25日" && JapaneseEra.format(LocalDate(1867, 12, 31)) == nil)
    }

    @Test("sex words: female/male/other/unknown, 女/男/女性/男性, その他, 不明, F/M in either case and width")
    func sexWords() {
        let table: [(String, CaseEvent.Person.Sex?)] = [
            ("female", .female), ("F", .female), ("ｆ", .female), ("女", .female), ("女性", .female), ("male", .male), ("M", .male),
            ("男", .male), ("男性", .male), ("other", .other), ("その他", .other), ("unknown", .unknown), ("不明", .unknown),
            ("おんな", nil), ("", nil),
        ]
        for (text, sex) in table { #expect(RegistrationFile.sex(text) == sex, "\(text)") }
    }

    @Test("heights: 148, 148cm, １４８ｃｍ, 148センチ, 約148; outside 50–250 or not a number is none")
    func heights() {
        for text in ["148", "148cm", "１４８ｃｍ", "148センチ", "約148", "148 cm", "148CM"] {
            #expect(RegistrationFile.heightCm(text) == 148, "\(text)")
        }
        for text in ["49", "251", "百四十八", "148.5", "", "cm"] { #expect(RegistrationFile.heightCm(text) == nil, "\(text)") }
    }

    @Test("places and contacts as written in one cell")
    func placesAndContacts() {
        #expect(RegistrationFile.place("道の駅かじか荘（美里）") == .init(name: "道の駅かじか荘", area: "美里"))
        #expect(RegistrationFile.place("道の駅かじか荘 (美里)") == .init(name: "道の駅かじか荘", area: "美里"))
        #expect(RegistrationFile.place("（美里）") == .init(name: "（美里）"))
        #expect(RegistrationFile.place("野上の診療所") == .init(name: "野上の診療所"))
        #expect(RegistrationFile.place("公園（）") == .init(name: "公園"))
        #expect(RegistrationFile.contact("紀美野一郎（長男）090-1234-5678") == .init(name: "紀美野一郎", relation: "長男", phone: "090-1234-5678"))
        #expect(RegistrationFile.contact("紀美野 一郎 ０９０－１２３４－５６７８") == .init(name: "紀美野 一郎", phone: "090-1234-5678"))
        #expect(RegistrationFile.contact("紀美野一郎（長男） 電話：073-489-0000") == .init(name: "紀美野一郎", relation: "長男", phone: "073-489-0000"))
        #expect(RegistrationFile.contact("紀美野一郎（長男）") == nil)
        #expect(RegistrationFile.contact("090-1234-5678") == nil)
    }

    @Test("a photo file is a JPEG or PNG by its first bytes, at most 3 MiB; PhotoCheck's reasons in words for staff")
    func photoFiles() throws {
        let jpeg = try Data(contentsOf: Files.testsDirectory.appendingPathComponent("../Servers/portrait.jpg"))
        #expect(try RegistrationFile.photo(jpeg, at: "photo.file（写真）").get().mediaType == .jpeg)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])
        #expect(try RegistrationFile.photo(png, at: "x").get().mediaType == .png)
        guard case .failure(let gif) = RegistrationFile.photo(Data("GIF89a".utf8), at: "2行目 写真") else {
            Issue.record("a GIF was taken")
            return
        }
        #expect(gif.description == "2行目 写真: JPEG か PNG の写真ではありません。写真のファイルを確かめてください。")
        guard case .failure(let large) = RegistrationFile.photo(Data(count: 3 * 1024 * 1024 + 1), at: "x") else {
            Issue.record("a 3 MiB + 1 photo was taken")
            return
        }
        #expect(large.message.hasPrefix("写真が大きすぎます（3 MB まで）"))
        for problem in PhotoCheck.Problem.allCases {
            #expect(!RegistrationFile.explain(problem, at: "x").message.isEmpty)
        }
    }

    @Test("the format is chosen by the file's name")
    func formatByName() {
        #expect(RegistrationFile.Format(fileName: "/tmp/登録届.CSV") == .csv)
        #expect(RegistrationFile.Format(fileName: "hanako.yaml") == .yaml && RegistrationFile.Format(fileName: "hanako.yml") == .yaml)
    }
}

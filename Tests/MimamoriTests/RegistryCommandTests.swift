import Foundation
import HostileCorpus
import Ledger
import MimamoriCore
import MimamoriService
import TestFixtures
import Testing

/// `mimamori registry …` as staff run it: the real binary on the Kimino sample settings (with a
/// ledger, a key store and a `registry-key` of the test's own), a CP932 export of 様式第1号 added,
/// listed, shown, changed, confirmed, searched, printed for the police and removed; the ledger's
/// raw bytes searched for what was registered; a copy of the ledger taken before a removal found
/// unreadable after it.
@Suite("mimamori registry (real CLI, Kimino sample settings)", .serialized)
struct RegistryCommandTests {
    /// A settings folder: the sample mimamori.yaml pointed at this folder's ledger and key store,
    /// and a registry-key written by `mimamori keygen --registry-key`.
    struct Folder {
        let directory: URL
        var settings: String { directory.appendingPathComponent("mimamori.yaml").path }
        var ledger: String { directory.appendingPathComponent("ledger.sqlite").path }
        var keys: String { directory.appendingPathComponent("registry-keys.sqlite").path }
        var key: String { directory.appendingPathComponent("registry-key").path }
        static let staff = "staff-test"

        init(registry: Bool = true) throws {
            directory = try ServerProcess.temporaryDirectory("registry")
            let sample = try String(
                contentsOf: ServerProcess.repositoryRoot.appendingPathComponent("config/mimamori.yaml"), encoding: .utf8)
            // The sample's own registry: section, pointed at this folder, or taken out.
            var lines: [Substring] = []
            var inRegistry = false
            for line in sample.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("registry:") {
                    inRegistry = true
                    lines.append("registry: { keys: \"\(keys)\", grace: 60d }")
                    continue
                }
                if inRegistry, line.hasPrefix(" ") || line.isEmpty { continue }
                inRegistry = false
                lines.append(line)
            }
            if !registry { lines.removeAll { $0.hasPrefix("registry:") } }
            let yaml = lines.joined(separator: "\n").replacingOccurrences(of: "/var/lib/mimamori/ledger.sqlite", with: ledger)
            guard yaml.contains("registry: { keys: \"\(keys)\"") == registry else {
                throw FixtureError("the sample has no registry: section")
            }
            try yaml.write(toFile: settings, atomically: true, encoding: .utf8)
            let keygen = try Self.run(["keygen", "--registry-key", key])
            guard keygen.status == 0 else { throw FixtureError("keygen: \(keygen.stderr)") }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        /// `mimamori ARGS` as the staff member `staff-test` under sudo.
        static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            var environment = ProcessInfo.processInfo.environment
            environment["SUDO_USER"] = staff
            environment.removeValue(forKey: "CREDENTIALS_DIRECTORY")
            return try runProcess(try DaemonProcess.binary("mimamori"), arguments, environment: environment)
        }

        func registry(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try Self.run(["registry"] + arguments + ["--config", settings, "--registry-key", key])
        }

        /// The registry as the daemon would open it, in the test's process.
        func open(ledger path: String? = nil) throws -> Registry {
            let credential = try String(contentsOfFile: key, encoding: .utf8)
            return Registry(
                store: try Ledger(path: path ?? ledger), keys: try RegistryKeyStore(path: keys),
                vault: try RegistryVault(credential: credential))
        }

        /// Every byte of the ledger and the key store on disk, WAL and journal included.
        func storedBytes() -> [(String, Data)] {
            [ledger, keys].flatMap { path in
                ["", "-wal", "-shm", "-journal"].compactMap { suffix in
                    FileManager.default.contents(atPath: path + suffix).map { (path + suffix, $0) }
                }
            }
        }

        func write(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static let sampleCSV = ServerProcess.repositoryRoot.appendingPathComponent("config/samples/registration-form.csv").path
    static let sampleYAML = ServerProcess.repositoryRoot.appendingPathComponent("config/samples/registration.yaml")
    static var today: LocalDate { JapaneseCalendar.localDate(of: Date()) }
    static var year: Int { today.year }

    static func contains(_ haystack: Data, _ needle: String) -> Bool { haystack.range(of: Data(needle.utf8)) != nil }

    @Test(
        "a CP932 export of the form through add → list → show → update → confirm → find → sheet → remove, each printed for staff and each in the audit as the staff member"
    )
    func roundTrip() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let first = "R\(Self.year)-0001"
        let second = "R\(Self.year)-0002"

        let add = try folder.registry(["add", Self.sampleCSV])
        #expect(add.status == 0, "\(add)")
        #expect(add.stdout.contains("登録しました（2 人）"), "\(add.stdout)")
        #expect(add.stdout.contains("\(first)　紀美野 太郎（2行目）　次の確認期限 2027年4月15日（木）"), "\(add.stdout)")
        #expect(add.stdout.contains("\(second)　海南 ハル（5行目）　次の確認期限 2027年4月20日（火）"), "\(add.stdout)")

        // The registered words are nowhere on disk in the clear.
        let words = [
            "紀美野 太郎", "きみの たろう", "海南 ハル", "かいなん はる", "073-495-0000", "090-0000-0002", "090-0000-0003", "美里ゴルフ練習場",
            "道の駅 美里の湯かじか荘", "野上の診療所", "松ケ峯", "補聴器", "紀美野 三郎", "海南 恵子", "眼鏡",
        ]
        for (path, bytes) in folder.storedBytes() {
            for word in words { #expect(!Self.contains(bytes, word), "\(path) holds \(word) in the clear") }
        }

        let list = try folder.registry(["list"])
        #expect(list.status == 0, "\(list)")
        #expect(
            list.stdout.contains(
                "\(first)　登録 2026年4月15日　確認 2026年4月15日　期限 2027年4月15日（"),
            "\(list.stdout)")
        #expect(list.stdout.contains("届出者 紀美野 三郎（次男）") && list.stdout.contains("届出者 海南 恵子（長女）"), "\(list.stdout)")
        #expect(list.stdout.hasPrefix("登録 2 件"), "\(list.stdout)")

        let show = try folder.registry(["show", first])
        #expect(show.status == 0, "\(show)")
        for line in [
            "氏名　　　　　紀美野 太郎", "生年月日　　　昭和15年8月3日（1940年）", "身長　　　　　162 cm", "特徴　　　　　眼鏡をかけている", "　　　　　　　左手に古い傷あと",
            "よく行く場所　道の駅 美里の湯かじか荘（美里）", "　　　　　　　美里ゴルフ練習場（美里）", "家族の連絡先　紀美野 三郎（次男）　090-0000-0002", "写真　　　　　なし",
        ] {
            #expect(show.stdout.contains(line), "\(line)\n\(show.stdout)")
        }

        // 様式第2号: the whole row as it now stands, in CP932 like the export it came from.
        let sample = try #require(String(data: try Data(contentsOf: URL(fileURLWithPath: Self.sampleCSV)), encoding: .shiftJIS))
        let lines = sample.components(separatedBy: "\r\n")
        let changedRow = lines[0..<4].joined(separator: "\r\n")
            .replacingOccurrences(of: "松ケ峯0000番地", with: "松ケ峯1111番地")
            .replacingOccurrences(of: "\r\n美里ゴルフ練習場（美里）", with: "")
        let update = try folder.registry(["update", first, try folder.write("change.csv", try #require(changedRow.data(using: .shiftJIS)))])
        #expect(update.status == 0, "\(update)")
        #expect(update.stdout.contains("\(first) を変更しました。変わった項目: 住所、よく行く場所"), "\(update.stdout)")
        let changed = try folder.registry(["show", first]).stdout
        #expect(changed.contains("松ケ峯1111番地") && !changed.contains("美里ゴルフ練習場"), "\(changed)")
        #expect(changed.contains("登録日　　　　2026年4月15日"), "the registration date is kept")

        // A reminder already sent for the current due date stays sent through a change of the form.
        let dueBefore = try #require(try await folder.open().store.registration(RegistrationID(first))).reconfirmationDue
        try await folder.open().store.markReconfirmationReminded([RegistrationID(first): dueBefore], stage: .dueSoon, at: Date())
        let relisted = try folder.registry([
            "update", first, try folder.write("change.csv", try #require(changedRow.data(using: .shiftJIS))),
        ])
        #expect(relisted.status == 0 && relisted.stdout.contains("変わった項目はありません"), "\(relisted)")
        #expect(try await folder.open().store.registration(RegistrationID(first))?.remindedDueSoon == dueBefore)

        let confirmedOn = Self.today.adding(days: -3)
        let confirm = try folder.registry(["confirm", first, "--on", confirmedOn.description])
        #expect(confirm.status == 0, "\(confirm)")
        let due = Reconfirmation.dueDate(confirmedOn: confirmedOn)
        #expect(confirm.stdout.contains("次の確認期限は \(JapaneseDateFormat.date(due)) です"), "\(confirm.stdout)")
        #expect(
            try folder.registry(["list"]).stdout.contains(
                "\(first)　登録 2026年4月15日　確認 \(confirmedOn.year)年\(confirmedOn.month)月\(confirmedOn.day)日"))

        let find = try folder.registry(["find", "--sex", "M", "--age", "80-95", "--area", "紀美野町美里", "--feature", "めがね", "--feature", "眼鏡"])
        #expect(find.status == 0, "\(find)")
        #expect(find.stdout.contains("候補 1 人") && find.stdout.contains("1. \(first)　紀美野 太郎　（一致: 性別・年齢・地区・特徴「眼鏡」）"), "\(find.stdout)")
        #expect(!find.stdout.contains("海南 ハル") && !find.stdout.contains("090-"), "ids and names only: \(find.stdout)")
        let nobody = try folder.registry(["find", "--sex", "F", "--age", "60-65"])
        #expect(nobody.status == 1 && nobody.stdout.contains("条件に合う登録者はいません"), "\(nobody)")

        let pdf = folder.directory.appendingPathComponent("照会.pdf").path
        let sheet = try folder.registry(["sheet", first, "--out", pdf, "--by", "海南警察署 生活安全課 山田", "--reason", "身元不明の男性を保護"])
        #expect(sheet.status == 0 && sheet.stdout.contains("（A4 1 ページ）"), "\(sheet)")
        let text = try runTool("/usr/bin/pdftotext", ["-layout", pdf, "-"])
        for words in [
            "登録者情報（照会への回答）", "照会者: 海南警察署 生活安全課 山田", "照会の理由: 身元不明の男性を保護", "紀美野 太郎", "きみの たろう", "昭和15年8月3日",
            "松ケ峯1111番地", "補聴器を使っている", "野球の話をすると落ち着く", "紀美野 三郎（次男）", "090-0000-0002", "要介護1", "（\(Folder.staff)）",
        ] {
            #expect(text.contains(words), "\(words)\n\(text)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: pdf)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let remove = try folder.registry(["remove", second, "--reason", "deceased"])
        #expect(remove.status == 0 && remove.stdout.contains("\(second) の登録を抹消しました（理由: 死亡）"), "\(remove)")
        let gone = try folder.registry(["show", second])
        #expect(gone.status == 2 && gone.stderr.contains("台帳番号 \(second) は登録簿にありません"), "\(gone)")
        #expect(try folder.registry(["remove", second, "--reason", "deceased"]).status == 2)
        #expect(try folder.registry(["list"]).stdout.hasPrefix("登録 1 件"))

        let audit = try await folder.open().store.registryAudit(nil)
        #expect(
            audit.map(\.action) == [
                "registered", "registered", "listed", "shown", "updated", "shown", "reminded", "updated", "confirmed", "listed", "find",
                "find",
                "sheet", "removed", "listed",
            ], "\(audit.map(\.action))")
        #expect(audit.allSatisfy { $0.by == Folder.staff || $0.action == "reminded" }, "\(audit.map(\.by))")
        #expect(audit.filter { $0.action == "updated" }.map(\.reason) == ["変更: 住所、よく行く場所", "変更なし"])
        #expect(audit.first { $0.action == "sheet" }?.reason == "照会者: 海南警察署 生活安全課 山田 / 理由: 身元不明の男性を保護")
        #expect(audit.first { $0.action == "find" }?.reason == "criteria=sex,age,area,feature×2 candidates=1")
        #expect(audit.first { $0.action == "removed" }?.reason == "deceased")
        // The audit holds ids, codes and the staff's words, never a registered one.
        for entry in audit {
            for word in words { #expect(!(entry.reason ?? "").contains(word), "\(entry)") }
        }
    }

    @Test(
        "the YAML sample with its photo: no plaintext on disk; a copy of the ledger taken before the removal cannot be read after it, and the key store holds no trace of the key"
    )
    func encryptionAndRemoval() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        // The sample beside its photo, as staff keep them.
        let yaml = try String(contentsOf: Self.sampleYAML, encoding: .utf8)
        let path = try folder.write("hanako.yaml", Data(yaml.utf8))
        _ = try folder.write(
            "hanako.jpg", try Data(contentsOf: ServerProcess.repositoryRoot.appendingPathComponent("config/samples/hanako.jpg")))
        let add = try folder.registry(["add", path])
        #expect(add.status == 0 && add.stdout.contains("R2026-0001　紀美野 花子　次の確認期限 2027年4月1日（木）"), "\(add)")

        let words = [
            "紀美野 花子", "きみの はなこ", "073-555-0000", "090-0000-0000", "090-0000-0001", "道の駅 美里の湯かじか荘", "JA紀美野 野上支所", "動木 0000番地",
            "右耳が遠い", "紀美野 一郎", "紀美野 良子", "白髪まじり",
        ]
        for (file, bytes) in folder.storedBytes() {
            for word in words { #expect(!Self.contains(bytes, word), "\(file) holds \(word) in the clear") }
        }
        let id = RegistrationID("R2026-0001")
        let registry = try folder.open()
        let opened = try #require(try await registry.registration(id))
        #expect(opened.person.name == "紀美野 花子" && opened.photo?.consentForNotices == true && opened.frequentedPlaces.count == 2)

        // A backup of the ledger, taken the ordinary way: a copy of its files.
        let backup = folder.directory.appendingPathComponent("backup.sqlite").path
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: folder.ledger + suffix) {
            try FileManager.default.copyItem(atPath: folder.ledger + suffix, toPath: backup + suffix)
        }
        let wrapped = try #require(try await registry.keys.key(id))
        let sealed = try #require(try await registry.store.registration(id))

        let remove = try folder.registry(["remove", id.rawValue, "--reason", "withdrawn"])
        #expect(remove.status == 0, "\(remove)")

        let fromBackup = try folder.open(ledger: backup)
        #expect(try await fromBackup.store.registration(id)?.record == sealed.record, "the backup still holds the sealed record")
        #expect(try await fromBackup.registration(id) == nil, "the backup's record opens after the removal")
        #expect(try await fromBackup.all().isEmpty)
        #expect(try await fromBackup.keys.key(id) == nil)
        // The record itself is sound: with the destroyed key it would open.
        #expect(try fromBackup.vault.open(.init(record: sealed.record, wrappedKey: wrapped), id: id).person.name == "紀美野 花子")
        for suffix in ["", "-wal", "-shm"] {
            guard let bytes = FileManager.default.contents(atPath: folder.keys + suffix) else { continue }
            #expect(bytes.range(of: wrapped) == nil, "registry-keys.sqlite\(suffix) still holds the wrapped key")
            #expect(bytes.range(of: wrapped.prefix(16)) == nil, "registry-keys.sqlite\(suffix) still holds part of the wrapped key")
        }
        for (file, bytes) in folder.storedBytes() where !file.contains("backup") {
            #expect(bytes.range(of: sealed.record.prefix(32)) == nil, "\(file) still holds the removed record")
        }
    }

    @Test(
        "a phone photo's EXIF (GPS, a comment naming the home) never enters the registry; an orientation is turned upright; a broken photo is refused"
    )
    func photoIsCleaned() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        _ = try folder.write("phone.jpg", Data(try PhotoMetadataSamples.jpeg(orientation: 6)))
        let yaml = """
            person: { name: 見守 花, kana: みまもり はな, sex: female, born: 1944-05-12 }
            photo: { file: phone.jpg, consent: false }
            registrant: { name: 見守 一郎, phone: 090-1234-5678 }
            """
        let add = try folder.registry(["add", try folder.write("hana.yaml", Data(yaml.utf8))])
        #expect(add.status == 0, "\(add)")
        let registration = try #require(try await folder.open().registration(RegistrationID("R\(Self.year)-0001")))
        let photo = try #require(registration.photo)
        #expect(photo.mediaType == .jpeg && !photo.consentForNotices)
        for (label, bytes) in PhotoMetadataSamples.markers {
            #expect(!PhotoMetadataSamples.contains([UInt8](photo.data), bytes), "the registered photo holds its \(label)")
        }
        #expect(PhotoClean.jpegOrientation(photo.data) == 1)
        guard case .success(let size) = PhotoCheck.check(.init(mediaType: .jpeg, data: photo.data)) else {
            Issue.record("the registered photo does not pass PhotoCheck")
            return
        }
        #expect(size.width > size.height, "turned a quarter: \(size)")

        _ = try folder.write("broken.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]))
        let broken = yaml.replacingOccurrences(of: "phone.jpg", with: "broken.jpg").replacingOccurrences(of: "見守 花", with: "見守 月")
        let refused = try folder.registry(["add", try folder.write("broken.yaml", Data(broken.utf8))])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("photo.file（写真）: 写真のデータが壊れていて読めません"), "\(refused.stderr)")
        let missing = try folder.registry([
            "add", try folder.write("missing.yaml", Data(yaml.replacingOccurrences(of: "phone.jpg", with: "nai.jpg").utf8)),
        ])
        #expect(missing.status == 1 && missing.stderr.contains("写真のファイルを読めません"), "\(missing)")
        #expect(try folder.registry(["list"]).stdout.hasPrefix("登録 1 件"))
    }

    @Test(
        "a file with problems registers nothing and names each in Japanese, never with a value; an unknown area is noted; a taken id, an unknown id, a wrong key, no registry: each say so with their exit status"
    )
    func refusals() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let header = "氏名,ふりがな,性別,届出者,届出者の電話\n"
        let csv = header + "見守 花,みまもり はな,女,見守 一郎,090-1234-5678\n見守 月,ミマモリ,女,見守 一郎,09O-1234-5678\n"
        let bad = try folder.registry(["add", try folder.write("bad.csv", try #require(csv.data(using: .shiftJIS)))])
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.stderr.contains("1行目: 「生年月日」の列がありません。見出しの行に加えてください。"), "\(bad.stderr)")
        #expect(bad.stderr.contains("登録・変更はしていません"), "\(bad.stderr)")
        let rows =
            "氏名,ふりがな,性別,生年月日,届出者,届出者の電話\n見守 花,みまもり はな,女,1944-05-12,見守 一郎,090-1234-5678\n見守 月,ミマモリ,おんな,昭和64年1月8日,見守 一郎,09O-1234-5678\n"
        let bad2 = try folder.registry(["add", try folder.write("bad2.csv", Data(rows.utf8))])
        #expect(bad2.status == 1, "\(bad2)")
        for words in ["3行目 性別:", "3行目 生年月日: 元号と年月日が合いません", "3行目 届出者の電話: 電話番号の形になっていません", "（3 か所）"] {
            #expect(bad2.stderr.contains(words), "\(words)\n\(bad2.stderr)")
        }
        for value in ["おんな", "09O", "見守 月"] { #expect(!bad2.stderr.contains(value), "stderr echoes \(value): \(bad2.stderr)") }
        #expect(try folder.registry(["list"]).stdout.hasPrefix("登録はありません"), "nothing of a refused file was registered")

        let yaml =
            "id: K-1\nperson: { name: 見守 花, kana: みまもり はな, sex: 女, born: 1944-05-12, area: 野上ノ奥 }\nregistrant: { name: 見守 一郎, phone: 090-1234-5678 }\n"
        let file = try folder.write("k1.yaml", Data(yaml.utf8))
        let added = try folder.registry(["add", file])
        #expect(added.status == 0, "\(added)")
        #expect(added.stdout.contains("注意: 地区: 設定（areas:）にない地区名です。"), "an area the tree does not know is told: \(added.stdout)")
        let again = try folder.registry(["add", file])
        #expect(again.status == 2 && again.stderr.contains("台帳番号 K-1 はもう登録されています"), "\(again)")
        let other = try folder.registry(["update", "K-2", file])
        #expect(other.status == 1 && other.stderr.contains("台帳番号が K-2 ではありません"), "\(other)")
        #expect(try folder.registry(["confirm", "K-9"]).status == 2)
        #expect(try folder.registry(["sheet", "K-9", "--out", "/tmp/x.pdf", "--by", "署", "--reason", "照会"]).status == 2)
        #expect(try folder.registry(["show", "not an id"]).status == 64)
        #expect(try folder.registry(["confirm", "K-1", "--on", "2999-01-01"]).status == 64)
        #expect(try folder.registry(["confirm", "K-1", "--on", "1999-01-01"]).status == 1, "before the registration")
        #expect(try folder.registry(["find"]).status == 64)

        let wrongKey = folder.directory.appendingPathComponent("other-key").path
        _ = try Folder.run(["keygen", "--registry-key", wrongKey])
        let wrong = try Folder.run(["registry", "show", "K-1", "--config", folder.settings, "--registry-key", wrongKey])
        #expect(wrong.status == 3 && wrong.stderr.contains("登録の鍵（registry-key）が、この登録簿を書いたときの鍵と違います"), "\(wrong)")
        let noKey = try Folder.run(["registry", "list", "--config", folder.settings, "--registry-key", "/nonexistent/registry-key"])
        #expect(noKey.status == 3 && noKey.stderr.contains("登録の鍵（/nonexistent/registry-key）を読めません"), "\(noKey)")

        let off = try Folder(registry: false)
        defer { off.remove() }
        let disabled = try off.registry(["list"])
        #expect(disabled.status == 3 && disabled.stderr.contains("登録の機能が設定にありません"), "\(disabled)")
    }

    @Test("list --due: only those due within the days given or overdue, soonest first, with what is left or how long overdue")
    func dueList() throws {
        let folder = try Folder()
        defer { folder.remove() }
        func add(_ id: String, confirmedDaysAgo days: Int) throws {
            let day = Self.today.adding(days: -days)
            let yaml = """
                id: \(id)
                person: { name: 見守 \(id), kana: みまもり, sex: 女, born: 1944-05-12 }
                registrant: { name: 届出 \(id), relation: 長女, phone: 090-1234-5678 }
                registered: \(day)
                """
            let run = try folder.registry(["add", try folder.write("\(id).yaml", Data(yaml.utf8))])
            #expect(run.status == 0, "\(run)")
        }
        try add("A", confirmedDaysAgo: 400)
        try add("B", confirmedDaysAgo: 350)
        try add("C", confirmedDaysAgo: 10)
        try add("D", confirmedDaysAgo: 365 - 30 + 1)
        let due = try folder.registry(["list", "--due", "30"])
        #expect(due.status == 0, "\(due)")
        let ids = due.stdout.split(separator: "\n").compactMap {
            $0.hasPrefix("  ") ? $0.dropFirst(2).split(separator: "　").first.map(String.init) : nil
        }
        #expect(ids == ["A", "B", "D"], "\(due.stdout)")
        let dueA = Reconfirmation.dueDate(confirmedOn: Self.today.adding(days: -400))
        #expect(due.stdout.contains("（期限切れ \(Self.today.dayNumber - dueA.dayNumber)日）"), "\(due.stdout)")
        #expect(due.stdout.contains("届出者 届出 B（長女）") && due.stdout.contains("期限から 60 日で自動的に抹消されます"), "\(due.stdout)")
        let none = try folder.registry(["list", "--due", "0"])
        #expect(none.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.count == 1, "only the overdue one: \(none.stdout)")
    }

    @Test(
        "keygen --registry-key: a new file 0600; an empty one (tmpfiles.d's 0640) filled in place keeping its mode; one holding a key never overwritten"
    )
    func keygen() throws {
        let directory = try ServerProcess.temporaryDirectory("keygen")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fresh = directory.appendingPathComponent("fresh").path
        #expect(try Folder.run(["keygen", "--registry-key", fresh]).status == 0)
        let text = try String(contentsOfFile: fresh, encoding: .utf8)
        #expect((try? RegistryVault(credential: text)) != nil, "not a credential: \(text)")
        #expect(try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int == 0o600)

        let empty = directory.appendingPathComponent("empty").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data(), attributes: [.posixPermissions: 0o640]))
        #expect(try Folder.run(["keygen", "--registry-key", empty]).status == 0)
        #expect((try? RegistryVault(credential: try String(contentsOfFile: empty, encoding: .utf8))) != nil)
        #expect(try FileManager.default.attributesOfItem(atPath: empty)[.posixPermissions] as? Int == 0o640)

        let refused = try Folder.run(["keygen", "--registry-key", fresh])
        #expect(refused.status == 1 && refused.stderr.contains("refusing to overwrite"), "\(refused)")
        #expect(try String(contentsOfFile: fresh, encoding: .utf8) == text, "the key was overwritten")
        #expect(try Folder.run(["keygen"]).status == 64)
        #expect(try Folder.run(["keygen", "police-x", "--registry-key", fresh]).status == 64)
    }
}

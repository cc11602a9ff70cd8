import Foundation
import Testing

@testable import MimamoriCore

@Suite("Cooperator directory from cooperators.csv")
struct CooperatorDirectoryTests {
    static let header = "id,name,channel,address,areas,municipality,active\n"

    func load(_ text: String) throws -> CooperatorDirectory.Loaded {
        try CooperatorDirectory.load(csv: Data(text.utf8))
    }

    @Test func loadsTheSampleDirectory() throws {
        let loaded = try CooperatorDirectory.load(csv: try Files.fixture("cooperators.csv"))
        #expect(loaded.problems.isEmpty)
        #expect(loaded.encoding == .utf8)
        #expect(loaded.directory.cooperators.count == 8)
        #expect(loaded.directory.active.count == 7)
        #expect(loaded.directory[RecipientID("mail-001")]?.areas == ["下佐々", "野中"])
        #expect(loaded.directory[RecipientID("fax-shimosasa")]?.address == "+81734890102")
    }

    /// Made with `printf … | iconv -f UTF-8 -t CP932`: 髙 is 0xFBFC and 﨑 0xFAB1 (IBM/NEC
    /// extensions), CRLF line ends, one bad FAX number on line 4.
    @Test func windows31JWithExtensionCharactersAndABadRow() throws {
        let bytes = try Files.fixture("cooperators-cp932.csv")
        #expect(bytes.contains(0xFB) && bytes.contains(0xFA))
        #expect(String(validating: bytes, as: UTF8.self) == nil)
        let loaded = try CooperatorDirectory.load(csv: bytes)
        #expect(loaded.encoding == .windows31J)
        #expect(loaded.directory.cooperators.map(\.name) == ["髙橋商店", "山﨑新聞店, 野上支店", "髙橋 一郎", "山﨑 花"])
        #expect(loaded.problems.count == 1)
        #expect(loaded.problems.first?.line == 4)
        #expect(loaded.problems.first?.id == "f-003")
        #expect(loaded.problems.first?.description.contains("line 4 (f-003)") == true)
        #expect(loaded.directory[RecipientID("f-001")]?.areas == ["下佐々", "野中"])
        #expect(loaded.directory[RecipientID("f-002")]?.address == "+81734890002")
        #expect(loaded.directory[RecipientID("e-002")]?.active == false)
    }

    @Test func utf8WithBOMAndCRLF() throws {
        let text = "\u{FEFF}" + Self.header.replacingOccurrences(of: "\n", with: "\r\n") + "a,髙橋,email,a@example.jp,,kimino,1\r\n"
        let loaded = try CooperatorDirectory.load(csv: Data(text.utf8))
        #expect(loaded.encoding == .utf8WithBOM)
        #expect(loaded.problems.isEmpty)
        #expect(loaded.directory[RecipientID("a")]?.name == "髙橋")
    }

    @Test func quotedFieldsWithCommasNewlinesAndQuotes() throws {
        let loaded = try load(
            Self.header + "a,\"見守り \"\"太郎\"\",\n二行目\",email,a@example.jp,\"下佐々;野中\",kimino,true\nb,次郎,email,b@example.jp,,kimino,true\n")
        #expect(loaded.problems.isEmpty)
        #expect(loaded.directory[RecipientID("a")]?.name == "見守り \"太郎\",\n二行目")
        #expect(loaded.directory[RecipientID("a")]?.areas == ["下佐々", "野中"])
        #expect(loaded.directory[RecipientID("b")] != nil)
    }

    @Test func lineNumbersCountTheLinesInsideQuotedFields() throws {
        let loaded = try load(Self.header + "a,\"一\n二\n三\",email,a@example.jp,,kimino,true\nb,次郎,email,bad,,kimino,true\n")
        #expect(loaded.problems.map(\.line) == [5])
    }

    @Test func duplicatesAreRejected() throws {
        let loaded = try load(
            Self.header + """
                a,太郎,email,taro@example.jp,,kimino,true
                a,太郎2,email,taro2@example.jp,,kimino,true
                b,花子,email,TARO@example.jp,,kimino,true
                c,店,fax,073-489-0001,,kimino,true
                d,店2,fax,+81 73 489 0001,,kimino,true

                """)
        #expect(loaded.directory.cooperators.map(\.id.rawValue) == ["a", "c"])
        #expect(loaded.problems.map(\.line) == [3, 4, 6])
        #expect(loaded.problems[0].message == "id is a duplicate of line 2")
        #expect(loaded.problems[1].message == "address is the same as a's")
    }

    @Test(arguments: [
        ("x,店,fax,abc,,kimino,true", "address is not a Japanese FAX number"),
        ("x,店,fax,73-489-9960,,kimino,true", "address is not a Japanese FAX number"),
        ("x,人,email,taro@,,kimino,true", "address is not a valid email address"),
        ("x,人,email,taro.example.jp,,kimino,true", "address is not a valid email address"),
        ("x,人,email,ta ro@example.jp,,kimino,true", "address is not a valid email address"),
        ("x,人,email,taro@example..jp,,kimino,true", "address is not a valid email address"),
        ("x,人,sms,09012345678,,kimino,true", "channel must be fax or email"),
        ("x,人,radio,09012345678,,kimino,true", "channel must be fax or email"),
        (",人,email,a@example.jp,,kimino,true", "id is empty"),
        ("radio,人,email,a@example.jp,,kimino,true", "id must be"),
        ("x,,email,a@example.jp,,kimino,true", "name is empty"),
        ("x,人,email,a@example.jp,,,true", "municipality is empty"),
        ("x,人,email,a@example.jp,,kimino,maybe", "active must be"),
        ("x,\"人\"店,email,a@example.jp,,kimino,true", "text after a closing quote"),
    ])
    func badRowsAreNamed(_ row: String, _ message: String) throws {
        let loaded = try load(Self.header + "ok,人,email,ok@example.jp,,kimino,true\n" + row + "\n")
        #expect(loaded.directory.cooperators.map(\.id.rawValue) == ["ok"])
        #expect(loaded.problems.count == 1)
        #expect(loaded.problems.first?.line == 3)
        #expect(loaded.problems.first?.message.hasPrefix(message) == true, "\(loaded.problems)")
        // The reason never repeats the person's name.
        #expect(loaded.problems.first?.description.contains("人") == false)
    }

    @Test(arguments: [
        ("073-489-9960", "+81734899960"),
        ("０７３－４８９－９９６０", "+81734899960"),
        ("(073) 489-9960", "+81734899960"),
        ("+81734899960", "+81734899960"),
        ("+81 (0)73-489-9960", "+81734899960"),
        ("+81-73-489-9960", "+81734899960"),
        ("03-1234-5678", "+81312345678"),
        ("050-1234-5678", "+815012345678"),
    ])
    func faxNumbersBecomeE164(_ input: String, _ expected: String) {
        #expect(Addresses.normalisedFaxNumber(input) == expected)
    }

    @Test(arguments: ["", "1234", "+1 212 555 0100", "00-81-73-489-9960", "073-489-99600-1", "073 489 996x"])
    func notFaxNumbers(_ input: String) {
        #expect(Addresses.normalisedFaxNumber(input) == nil)
    }

    @Test func fullWidthEmailIsNormalised() {
        #expect(Addresses.normalisedEmail("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ") == "taro@example.jp")
    }

    @Test(arguments: ["下佐々;野中", "下佐々・野中", "下佐々 野中", "下佐々　野中", "下佐々、野中", "下佐々; 野中"])
    func areaSeparators(_ text: String) {
        #expect(CooperatorDirectory.splitAreas(text) == ["下佐々", "野中"])
    }

    @Test func fileLevelErrors() {
        #expect(throws: CooperatorDirectory.FileError.empty) { try load("") }
        #expect(throws: CooperatorDirectory.FileError.missingColumns(["areas", "active"])) {
            try load("id,name,channel,address,municipality\n")
        }
        #expect(throws: CooperatorDirectory.FileError.undecodable) { try CooperatorDirectory.load(csv: Data([0x61, 0x82, 0xFF, 0x0A])) }
    }

    @Test func columnsMayComeInAnyOrderAndBlankLinesAreSkipped() throws {
        let loaded = try load("active,municipality,areas,address,channel,name,id\n\ntrue,kimino,,a@example.jp,email,人,a\n,,,,,,\n")
        #expect(loaded.problems.isEmpty)
        #expect(loaded.directory[RecipientID("a")]?.channel == .email)
    }
}

import Crypto
import Foundation
import MimamoriCore

/// One message as the broker hands it over: the exact body and the AMQP headers.
public struct HostileMessage: Sendable {
    public var body: [UInt8]
    public var headers: [String: String]

    public init(body: [UInt8], headers: [String: String]) {
        self.body = body
        self.headers = headers
    }
}

/// One case of the hostile-input corpus: messages that set the scene (`prelude`, all
/// valid and each expected to be planned), then the message under test and what must become of it.
public struct HostileCase: Sendable {
    public enum Expected: Sendable, Hashable {
        /// Dead-lettered with one of these reasons.
        case rejected([String])
        /// Acked and ignored with this reason.
        case ignored(String)
        /// Accepted, with at least one delivery planned.
        case planned
        /// Accepted, nobody told (no consent to tell cooperators, or held for the staff).
        case plannedNothing
        /// Accepted; who is told depends on what went out before (a closure tells only those
        /// who already hold the alert).
        case accepted
    }

    public var name: String
    public var hostileClass: String
    public var prelude: [HostileMessage] = []
    public var message: HostileMessage
    public var expected: Expected
    /// Personal data in the case's messages: no reason may contain any of it.
    public var personalData: [String]
    /// Text from the event that must appear literally in the rendered notices (template syntax).
    public var literals: [String] = []
    /// The photo carries `PhotoMetadataSamples`: it must reach the notices, and none of the
    /// samples' markers with it.
    public var photoMetadata = false

    /// `class/name`, unique in the corpus.
    public var label: String { "\(hostileClass)/\(name)" }
}

/// Generates the corpus deterministically from the sample event (`Fixtures/event-opened.json`):
/// fixed keys (Ed25519 signatures are deterministic), fixed message ids, sorted JSON keys.
public enum HostileCorpus {
    public static let trustedKeyID = "police-kainan"
    public static let secondKeyID = "police-arida"
    // Computed: swift-crypto's keys are not Sendable, so they cannot be stored statics.
    public static var trustedKey: Curve25519.Signing.PrivateKey { key(seed: 7) }
    public static var secondKey: Curve25519.Signing.PrivateKey { key(seed: 8) }
    public static var strangerKey: Curve25519.Signing.PrivateKey { key(seed: 9) }

    public static func key(seed: UInt8) -> Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: seed, count: 32))
    }

    /// The keys the pipeline trusts: the two police keys, not the stranger's.
    public static func publisherKeys() throws -> PublisherKeys {
        var keys = PublisherKeys()
        try keys.add(keyID: trustedKeyID, fileContents: PublisherKeys.keyFileContents(trustedKey.publicKey))
        try keys.add(keyID: secondKeyID, fileContents: PublisherKeys.keyFileContents(secondKey.publicKey))
        return keys
    }

    /// The personal data of the sample event (and the injected names below).
    public static let samplePersonalData = [
        "紀美野 花子", "花子", "きみの はなこ", "はなこ", "やせ型", "白髪まじりの短髪", "腰が少し曲がっている", "右手に木の杖",
        "えんじ色の毛糸の帽子", "紺色のカーディガン", "カーディガン", "灰色のズボン", "白い運動靴", "黒い手提げかばん",
        "紀美野町下佐々の県道沿い", "県道", "海南市の方向", "073-400-0110", "0110", "海南警察署",
    ]

    public static func signed(_ body: [UInt8], keyID: String = trustedKeyID, with key: Curve25519.Signing.PrivateKey = trustedKey)
        -> HostileMessage
    {
        let signature = try! key.signature(for: body).base64EncodedString()
        return HostileMessage(body: body, headers: [PublisherKeys.keyIDHeader: keyID, PublisherKeys.signatureHeader: signature])
    }

    public static func messageID(_ n: Int) -> String { "00000000-0000-4000-8000-\(String(format: "%012d", n))" }

    /// The sample events the corpus is made from, beside the core tests that also read them.
    public static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MimamoriCoreTests/Fixtures")

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: fixturesDirectory.appendingPathComponent(name))
    }

    // MARK: drafts of events

    /// A mutable JSON event. `raw` values are written verbatim (numbers JSONSerialization cannot
    /// write, duplicate keys): a placeholder string is replaced in the serialized bytes.
    public struct Draft {
        public var json: [String: Any]
        public var raw: [String: String] = [:]

        public static func opened(_ n: Int = 1, sequence: Int = 1) -> Draft {
            let data = try! fixture("event-opened.json")
            var json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
            json["messageId"] = messageID(n)
            json["sequence"] = sequence
            return Draft(json: json)
        }

        public static func updated(_ n: Int, sequence: Int) -> Draft {
            opened(n, sequence: sequence).setting("kind", "updated")
        }

        public static func closed(_ n: Int, sequence: Int) -> Draft {
            let data = try! fixture("event-closed.json")
            var json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
            json["messageId"] = messageID(n)
            json["sequence"] = sequence
            return Draft(json: json)
        }

        /// `path` like `person.age`; nil removes the field.
        public func setting(_ path: String, _ value: Any?) -> Draft {
            var copy = self
            copy.json = Self.set(copy.json, path.split(separator: ".").map(String.init)[...], value)
            return copy
        }

        /// The field becomes `text` verbatim in the body.
        public func settingRaw(_ path: String, _ text: String) -> Draft {
            let marker = "@@raw\(raw.count)@@"
            var copy = setting(path, marker)
            copy.raw["\"\(marker)\""] = text
            return copy
        }

        static func set(_ object: [String: Any], _ path: ArraySlice<String>, _ value: Any?) -> [String: Any] {
            var object = object
            let key = path.first!
            if path.count == 1 {
                object[key] = value
            } else {
                object[key] = set(object[key] as? [String: Any] ?? [:], path.dropFirst(), value)
            }
            return object
        }

        public var bytes: [UInt8] {
            let data = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])
            var text = String(decoding: data, as: UTF8.self)
            for (marker, replacement) in raw { text = text.replacingOccurrences(of: marker, with: replacement) }
            return Array(text.utf8)
        }

        public var message: HostileMessage { signed(bytes) }
    }

    // MARK: the corpus

    public static func all() -> [HostileCase] {
        var cases: [HostileCase] = []
        func add(
            _ hostileClass: String, _ name: String, _ message: HostileMessage, _ expected: HostileCase.Expected,
            prelude: [HostileMessage] = [], personalData: [String] = [], literals: [String] = [], photoMetadata: Bool = false
        ) {
            cases.append(
                HostileCase(
                    name: name, hostileClass: hostileClass, prelude: prelude, message: message, expected: expected,
                    personalData: samplePersonalData + personalData, literals: literals, photoMetadata: photoMetadata))
        }
        func reject(_ reasons: String...) -> HostileCase.Expected { .rejected(reasons) }
        /// Huge strings are written raw: JSONSerialization is slow on them.
        func quoted(_ text: String) -> String { "\"" + text + "\"" }
        let opened = Draft.opened()
        let openedBytes = opened.bytes

        // Controls: valid events, accepted.
        add("valid-control", "opened", opened.message, .planned)
        add("valid-control", "fixture bytes as written", signed(Array(try! fixture("event-opened.json"))), .planned)
        add("valid-control", "updated after opened", Draft.updated(2, sequence: 2).message, .planned, prelude: [opened.message])
        add("valid-control", "closed after opened", Draft.closed(2, sequence: 2).message, .accepted, prelude: [opened.message])
        add("valid-control", "drill opened", opened.setting("drill", true).message, .planned)
        add(
            "valid-control", "signed with the second trusted key",
            signed(openedBytes, keyID: secondKeyID, with: secondKey), .planned)
        add("valid-control", "photo null", opened.setting("photo", NSNull()).message, .planned)
        add("valid-control", "UTF-8 byte order mark", signed([0xEF, 0xBB, 0xBF] + openedBytes), .planned)
        add(
            "valid-control", "unknown field nested 31 deep (32 with the event)",
            opened.settingRaw("futureField", String(repeating: "[", count: 31) + String(repeating: "]", count: 31)).message, .planned)
        add(
            "valid-control", "unknown field with 200,000 numbers",
            opened.settingRaw("futureField", "[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]").message,
            .planned)
        add(
            "valid-control", "20 clothing lines (the limit)", opened.setting("clothing", Array(repeating: "白い運動靴", count: 20)).message,
            .planned)
        add(
            "valid-control", "gap in sequence numbers", Draft.updated(2, sequence: 1 << 53).message, .planned,
            prelude: [opened.message])

        // Malformed JSON.
        for cut in [1, 2, 10, 50, 100, 200, 400, 600, openedBytes.count / 2, openedBytes.count - 1] {
            add(
                "malformed-json", "truncated at \(cut)", signed(Array(openedBytes.prefix(cut))),
                reject("body.not-json", "body.invalid-utf8"))
        }
        for garbage in ["x", "}", ",", "{}", "\0", "// comment", "\u{FEFF}"] {
            add(
                "malformed-json", "trailing \(garbage.debugDescription)", signed(openedBytes + Array(garbage.utf8)), reject("body.not-json")
            )
        }
        for bare in ["42", "-1", "\"mimamori.case/1\"", "true", "null", "[]", "[{\"schema\":\"mimamori.case/1\"}]"] {
            add("malformed-json", "bare \(bare)", signed(Array(bare.utf8)), reject("body.not-object"))
        }
        for text in [
            "", " \n\t", "{", "}", "{'schema':'mimamori.case/1'}", "{schema:\"mimamori.case/1\"}",
            "{\"schema\":\"mimamori.case/1\",}", "{\"sequence\":NaN}", "{\"sequence\":Infinity}", "{\"a\":1 /* c */}",
            "{\"a\":\"\\x41\"}", "{\"a\":\"\\ud800\"}", "{\"a\":01}", "{\"a\":+1}",
        ] {
            add("malformed-json", "not JSON \(text.debugDescription)", signed(Array(text.utf8)), reject("body.not-json"))
        }

        // Deep nesting.
        add("deep-nesting", "100,000 [", signed(Array(repeating: UInt8(ascii: "["), count: 100_000)), reject("body.too-deep"))
        add(
            "deep-nesting", "100,000 [ closed",
            signed(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)),
            reject("body.too-deep"))
        add("deep-nesting", "100,000 {\"a\":", signed(Array(String(repeating: "{\"a\":", count: 100_000).utf8)), reject("body.too-deep"))
        add("deep-nesting", "100,000 [{\"a\":", signed(Array(String(repeating: "[{\"a\":", count: 50_000).utf8)), reject("body.too-deep"))
        add(
            "deep-nesting", "500 [ in an unknown field",
            opened.settingRaw("futureField", String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).message,
            reject("body.too-deep"))
        add(
            "deep-nesting", "32 [ in an unknown field (33 with the event)",
            opened.settingRaw("futureField", String(repeating: "[", count: 32) + String(repeating: "]", count: 32)).message,
            reject("body.too-deep"))
        add(
            "deep-nesting", "nested clothing",
            opened.settingRaw("clothing", String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)).message,
            reject("body.too-deep"))
        add(
            "deep-nesting", "1.2 MB of arrays nested 30 deep",
            opened.settingRaw(
                "futureField",
                "["
                    + Array(repeating: String(repeating: "[", count: 30) + String(repeating: "]", count: 30), count: 20_000).joined(
                        separator: ",") + "]"
            ).message,
            .planned)

        // Wrong types, one field at a time.
        let wrongTypes: [(String, Any, String)] = [
            ("messageId", 42, "field.type:messageId"), ("caseId", 42, "field.type:caseId"),
            ("caseId", ["KN-2026-0042"], "field.type:caseId"),
            ("sequence", "1", "field.type:sequence"), ("sequence", 1.5, "field.type:sequence"), ("sequence", true, "field.type:sequence"),
            ("kind", 1, "field.type:kind"), ("kind", ["opened"], "field.type:kind"), ("issuedAt", 1_795_000_000, "field.type:issuedAt"),
            ("municipality", ["kimino"], "field.type:municipality"), ("drill", "false", "field.type:drill"),
            ("drill", 0, "field.type:drill"),
            ("person", "紀美野 花子", "field.type:person"), ("person", [["name": "紀美野 花子"]], "field.type:person"),
            ("person.name", 42, "field.type:person.name"), ("person.name", ["紀美野", "花子"], "field.type:person.name"),
            ("person.nameKana", false, "field.type:person.nameKana"), ("person.sex", true, "field.type:person.sex"),
            ("person.age", "82", "field.type:person.age"), ("person.age", 82.5, "field.type:person.age"),
            ("person.age", false, "field.type:person.age"),
            ("person.heightCm", "150cm", "field.type:person.heightCm"), ("person.build", 3, "field.type:person.build"),
            ("person.hair", ["短髪"], "field.type:person.hair"), ("person.features", "右手に木の杖", "field.type:person.features"),
            ("person.features", [1, 2], "field.type:person.features[0]"), ("person.residenceArea", 7, "field.type:person.residenceArea"),
            ("person.registrationId", 12345, "field.type:person.registrationId"), ("clothing", "紺色のカーディガン", "field.type:clothing"),
            ("clothing", ["帽子": "えんじ色"], "field.type:clothing"), ("clothing", ["帽子", true], "field.type:clothing[1]"),
            ("clothing", [["帽子"]], "field.type:clothing[0]"), ("belongings", 1, "field.type:belongings"),
            ("lastSeen", ["2026-11-27T15:30:00+09:00"], "field.type:lastSeen"), ("lastSeen.at", 1_795_000_000, "field.type:lastSeen.at"),
            ("lastSeen.place", true, "field.type:lastSeen.place"), ("lastSeen.direction", 90, "field.type:lastSeen.direction"),
            ("lastSeen.area", ["下佐々"], "field.type:lastSeen.area"), ("photo", "iVBORw0KGgo=", "field.type:photo"),
            ("photo.mediaType", 1, "field.type:photo.mediaType"), ("photo.data", [1, 2, 3], "field.type:photo.data"),
            ("consent", true, "field.type:consent"), ("consent.cooperators", "true", "field.type:consent.cooperators"),
            ("consent.cooperators", 1, "field.type:consent.cooperators"), ("consent.radio", "yes", "field.type:consent.radio"),
            ("consent.photo", 1, "field.type:consent.photo"), ("consent.partnerTowns", "no", "field.type:consent.partnerTowns"),
            ("contact", "073-400-0110", "field.type:contact"), ("contact.organization", 110, "field.type:contact.organization"),
            ("contact.phone", 734_000_110, "field.type:contact.phone"),
        ]
        for (path, value, reason) in wrongTypes {
            add("wrong-type", "\(path) = \(value)", opened.setting(path, value).message, reject(reason))
        }
        let closedDraft = Draft.closed(2, sequence: 2)
        let closedWrongTypes: [(String, Any, String)] = [
            ("closure", "found", "field.type:closure"), ("closure.at", 0, "field.type:closure.at"),
            ("closure.reason", true, "field.type:closure.reason"), ("closure.shelter", "やすらぎ園", "field.type:closure.shelter"),
            ("closure.shelter", ["facilityId": 7, "expectedDays": 2], "field.type:closure.shelter.facilityId"),
            ("closure.shelter", ["facilityId": "yasuragi", "expectedDays": "2"], "field.type:closure.shelter.expectedDays"),
        ]
        for (path, value, reason) in closedWrongTypes {
            add(
                "wrong-type", "closed \(path) = \(value)", closedDraft.setting(path, value).message, reject(reason),
                prelude: [opened.message])
        }

        // Unknown schema.
        for (schema, reason) in [
            ("mimamori.case/2", "schema.unknown"), ("mimamori.case/0", "schema.unknown"), ("", "schema.unknown"),
            ("MIMAMORI.CASE/1", "schema.unknown"), ("mimamori.case/1 ", "schema.unknown"), ("mimamori.case/1.0", "schema.unknown"),
        ] {
            add("unknown-schema", "schema \(schema.debugDescription)", opened.setting("schema", schema).message, reject(reason))
        }
        add("unknown-schema", "schema a number", opened.setting("schema", 1).message, reject("schema.unknown"))
        add("unknown-schema", "schema null", opened.setting("schema", NSNull()).message, reject("schema.unknown"))
        add("unknown-schema", "schema missing", opened.setting("schema", nil).message, reject("field.missing:schema"))

        // Size: 10 MiB and just over the 4 MiB limit (refused before the signature is even checked).
        add("oversized", "10 MiB of spaces", signed([UInt8](repeating: 0x20, count: 10 << 20)), reject("body.oversized"))
        add(
            "oversized", "10 MiB photo", opened.settingRaw("photo.data", quoted(String(repeating: "A", count: 10 << 20))).message,
            reject("body.oversized"))
        add(
            "oversized", "10 MiB name", opened.settingRaw("person.name", quoted(String(repeating: "花", count: 3_500_000))).message,
            reject("body.oversized"),
            personalData: [])
        add(
            "oversized", "10 MiB unsigned", HostileMessage(body: [UInt8](repeating: 0x7B, count: 10 << 20), headers: [:]),
            reject("body.oversized"))
        add(
            "oversized", "4 MiB + 1", signed(openedBytes + [UInt8](repeating: 0x20, count: (4 << 20) + 1 - openedBytes.count)),
            reject("body.oversized"))
        add(
            "oversized", "4 MiB exactly (spaces after the event)",
            signed(openedBytes + [UInt8](repeating: 0x20, count: (4 << 20) - openedBytes.count)),
            .planned)

        // Invalid UTF-8 (inside the name, where it would reach a notice).
        for (label, bytes) in [
            ("lone FF", [0xFF]), ("lone FE", [0xFE]), ("continuation byte", [0x80]), ("overlong slash", [0xC0, 0xAF]),
            ("overlong NUL", [0xC0, 0x80]), ("UTF-16 surrogate", [0xED, 0xA0, 0x80]), ("truncated 3-byte", [0xE8, 0x8A]),
            ("5-byte form", [0xF8, 0x88, 0x80, 0x80, 0x80]), ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("Latin-1 é", [0xE9]),
        ] as [(String, [UInt8])] {
            let body = Array(
                opened.setting("person.name", "紀美野@@X@@花子").bytes.split(separator: Array("@@X@@".utf8), maxSplits: 1)
                    .joined(separator: bytes))
            add("invalid-utf8", label, signed(body), reject("body.invalid-utf8"))
        }

        // Other encodings, correctly signed: a publisher whose encoder is wrong.
        let openedText = String(decoding: openedBytes, as: UTF8.self)
        for (label, encoding) in [
            ("Shift_JIS", String.Encoding.shiftJIS), ("EUC-JP", .japaneseEUC), ("ISO-2022-JP", .iso2022JP),
            ("UTF-16LE", .utf16LittleEndian), ("UTF-16BE", .utf16BigEndian), ("UTF-16 with BOM", .utf16),
            ("UTF-32LE", .utf32LittleEndian),
        ] {
            guard let data = openedText.data(using: encoding) else { continue }
            add("other-encoding", label, signed(Array(data)), reject("body.invalid-utf8", "body.not-json"))
        }
        // Kana and ASCII only: every UTF-16LE byte is below 0x80, so it passes UTF-8 validation.
        let kanaOnly = opened.setting("person.name", "きみの はなこ").setting("clothing", ["ぼうし"]).setting("belongings", nil)
            .setting("person", ["name": "きみの はなこ", "nameKana": "きみの はなこ", "age": 82])
            .setting("lastSeen", ["at": "2026-11-27T15:30:00+09:00", "place": "きた"])
            .setting("contact", ["organization": "ABC", "phone": "073-400-0110"])
        let kanaText = String(decoding: kanaOnly.bytes, as: UTF8.self)
        add(
            "other-encoding", "UTF-16LE of kana and ASCII", signed(Array(kanaText.data(using: .utf16LittleEndian)!)),
            reject("body.not-json"))

        // Photos no notice may use: accepted, the photo left out of every notice with a note (the
        // header of the first once trapped the FAX renderer after the ack, a crash loop).
        var pngBomb: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        pngBomb += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        var noise = SplitMix(seed: 42)
        let notJPEG = (0..<2048).map { _ in UInt8(truncatingIfNeeded: noise.next()) }
        add(
            "photo", "PNG header declaring 0xFFFFFFFF × 0xFFFFFFFF",
            opened.setting("photo", ["mediaType": "image/png", "data": Data(pngBomb).base64EncodedString()]).message, .planned)
        add(
            "photo", "random bytes labelled image/jpeg",
            opened.setting("photo", ["mediaType": "image/jpeg", "data": Data(notJPEG).base64EncodedString()]).message, .planned)
        // Photos as a family's phone makes them: accepted, attached, their metadata (EXIF GPS of
        // the home, text chunks) gone from every notice and from the stored event.
        let samplePNG = Data(base64Encoded: (opened.json["photo"] as? [String: Any])?["data"] as? String ?? "") ?? Data()
        add(
            "photo", "JPEG with EXIF GPS, orientation 6 and a comment",
            opened.setting(
                "photo", ["mediaType": "image/jpeg", "data": Data(try! PhotoMetadataSamples.jpeg(orientation: 6)).base64EncodedString()]
            ).message,
            .planned, personalData: [PhotoMetadataSamples.home, PhotoMetadataSamples.gps], photoMetadata: true)
        add(
            "photo", "PNG with tEXt, iTXt, tIME, eXIf and text after IEND",
            opened.setting(
                "photo", ["mediaType": "image/png", "data": Data(PhotoMetadataSamples.png([UInt8](samplePNG))).base64EncodedString()]
            ).message,
            .planned, personalData: [PhotoMetadataSamples.home, PhotoMetadataSamples.gps], photoMetadata: true)

        // Consent.
        add("consent", "consent missing", opened.setting("consent", nil).message, reject("field.missing:consent"))
        add("consent", "consent null", opened.setting("consent", NSNull()).message, reject("field.missing:consent"))
        add("consent", "consent empty", opened.setting("consent", [String: Any]()).message, reject("field.missing:consent.cooperators"))
        add(
            "consent", "cooperators missing, radio true", opened.setting("consent", ["radio": true, "photo": true]).message,
            reject("field.missing:consent.cooperators"))
        add(
            "consent", "cooperators null", opened.setting("consent.cooperators", NSNull()).message,
            reject("field.missing:consent.cooperators"))
        add("consent", "cooperators false", opened.setting("consent.cooperators", false).message, .plannedNothing)
        add(
            "consent", "cooperators false, radio and photo true",
            opened.setting("consent", ["cooperators": false, "radio": true, "photo": true, "partnerTowns": true]).message, .plannedNothing)
        add(
            "consent", "update withdraws consent", Draft.updated(2, sequence: 2).setting("consent.cooperators", false).message,
            .plannedNothing,
            prelude: [opened.message])

        // Signatures.
        let good = opened.message
        let goodSignature = good.headers[PublisherKeys.signatureHeader]!
        func headers(_ keyID: String?, _ signature: String?) -> [String: String] {
            var h: [String: String] = [:]
            h[PublisherKeys.keyIDHeader] = keyID
            h[PublisherKeys.signatureHeader] = signature
            return h
        }
        add("signature", "unsigned", HostileMessage(body: openedBytes, headers: [:]), reject("signature.missing"))
        add("signature", "key id only", HostileMessage(body: openedBytes, headers: headers(trustedKeyID, nil)), reject("signature.missing"))
        add(
            "signature", "signature only", HostileMessage(body: openedBytes, headers: headers(nil, goodSignature)),
            reject("signature.missing"))
        add("signature", "empty headers", HostileMessage(body: openedBytes, headers: headers("", "")), reject("signature.missing"))
        add(
            "signature", "header names in upper case",
            HostileMessage(body: openedBytes, headers: ["X-Mimamori-Key-Id": trustedKeyID, "X-Mimamori-Signature": goodSignature]),
            reject("signature.missing"))
        add("signature", "unknown key", signed(openedBytes, keyID: "police-unknown", with: strangerKey), reject("signature.unknown-key"))
        add(
            "signature", "key id ../police-kainan", HostileMessage(body: openedBytes, headers: headers("../police-kainan", goodSignature)),
            reject("signature.unknown-key"))
        add(
            "signature", "key id 10,000 characters",
            HostileMessage(body: openedBytes, headers: headers(String(repeating: "k", count: 10_000), goodSignature)),
            reject("signature.unknown-key"))
        add(
            "signature", "stranger's key under a trusted id", signed(openedBytes, keyID: trustedKeyID, with: strangerKey),
            reject("signature.invalid"))
        add(
            "signature", "second key's signature under the first id", signed(openedBytes, keyID: trustedKeyID, with: secondKey),
            reject("signature.invalid"))
        let otherBody = opened.setting("consent.radio", false).bytes
        add(
            "signature", "signed over a different body", HostileMessage(body: otherBody, headers: good.headers), reject("signature.invalid")
        )
        add(
            "signature", "body with a trailing newline after signing", HostileMessage(body: openedBytes + [0x0A], headers: good.headers),
            reject("signature.invalid"))
        add(
            "signature", "body cut after signing", HostileMessage(body: Array(openedBytes.dropLast()), headers: good.headers),
            reject("signature.invalid"))
        add(
            "signature", "signature of the empty body", HostileMessage(body: openedBytes, headers: signed([]).headers),
            reject("signature.invalid"))
        var flipped = Array(Data(base64Encoded: goodSignature)!)
        flipped[10] ^= 0x01
        add(
            "signature", "one bit of the signature flipped",
            HostileMessage(body: openedBytes, headers: headers(trustedKeyID, Data(flipped).base64EncodedString())),
            reject("signature.invalid"))
        add(
            "signature", "all-zero signature",
            HostileMessage(body: openedBytes, headers: headers(trustedKeyID, Data(count: 64).base64EncodedString())),
            reject("signature.invalid"))
        for (label, signature) in [
            ("not base64", "not base64!"), ("63 bytes", Data(count: 63).base64EncodedString()),
            ("65 bytes", Data(count: 65).base64EncodedString()), ("hex", String(repeating: "ab", count: 64)),
            ("URL-safe alphabet", goodSignature.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + "-_"),
            ("line break inside", String(goodSignature.prefix(40)) + "\n" + String(goodSignature.dropFirst(40))),
            ("1 MB", String(repeating: "A", count: 1 << 20)), ("NUL", "\0"),
        ] {
            add(
                "signature", "malformed: \(label)", HostileMessage(body: openedBytes, headers: headers(trustedKeyID, signature)),
                reject("signature.malformed"))
        }

        // Replays.
        add("replay", "same message twice", good, .ignored("case.repeated-message"), prelude: [good])
        add(
            "replay", "same message after an update", good, .ignored("case.repeated-message"),
            prelude: [good, Draft.updated(2, sequence: 2).message])
        add(
            "replay", "same message id, higher sequence", Draft.updated(1, sequence: 5).message, .ignored("case.repeated-message"),
            prelude: [good])
        let closedMessage = Draft.closed(3, sequence: 3).message
        add("replay", "closed twice", closedMessage, .ignored("case.repeated-message"), prelude: [good, closedMessage])
        add(
            "replay", "signed with the other trusted key", signed(openedBytes, keyID: secondKeyID, with: secondKey),
            .ignored("case.repeated-message"),
            prelude: [good])
        // A ledger restored from an old backup no longer knows the case: its alert, replayed
        // from the broker, must not alert everyone again; it is held for the staff.
        add(
            "replay", "alert issued years ago, for a case the ledger does not know",
            opened.setting("issuedAt", "2006-11-27T16:00:00+09:00").message,
            .plannedNothing)

        // Stale and out-of-order sequences.
        let third = Draft.updated(3, sequence: 3).message
        add("stale-sequence", "2 after 3", Draft.updated(2, sequence: 2).message, .ignored("case.stale-sequence"), prelude: [good, third])
        add(
            "stale-sequence", "same sequence, new message id", Draft.updated(2, sequence: 1).message, .ignored("case.stale-sequence"),
            prelude: [good])
        add("stale-sequence", "opened again with sequence 1", Draft.opened(2).message, .ignored("case.stale-sequence"), prelude: [good])
        add(
            "stale-sequence", "1 after 2^53", Draft.updated(3, sequence: 2).message, .ignored("case.stale-sequence"),
            prelude: [good, Draft.updated(2, sequence: 1 << 53).message])
        add(
            "stale-sequence", "stale closed", Draft.closed(4, sequence: 2).message, .ignored("case.stale-sequence"), prelude: [good, third])
        add(
            "stale-sequence", "update after closure", Draft.updated(4, sequence: 9).message, .ignored("case.after-closure"),
            prelude: [good, closedMessage])
        add(
            "stale-sequence", "opened after closure", Draft.opened(4, sequence: 9).message, .ignored("case.after-closure"),
            prelude: [good, closedMessage])

        // Events for a case that was never opened.
        add("unknown-case", "closed for an unknown case", Draft.closed(1, sequence: 3).message, reject("case.unknown"))
        add("unknown-case", "updated before opened", Draft.updated(1, sequence: 2).message, reject("case.unknown"))
        add("unknown-case", "updated (sequence 2) for a fresh case", Draft.updated(2, sequence: 2).message, reject("case.unknown"))
        add(
            "unknown-case", "closed with a shelter for an unknown case",
            Draft.closed(1, sequence: 2).setting("closure.shelter", ["facilityId": "yasuragi", "expectedDays": 2]).message,
            reject("case.unknown"))
        add(
            "unknown-case", "updated for another case id", Draft.updated(2, sequence: 2).setting("caseId", "KN-2026-0043").message,
            reject("case.unknown"), prelude: [good])

        // Huge arrays.
        add(
            "huge-array", "21 clothing lines", opened.setting("clothing", Array(repeating: "白い運動靴", count: 21)).message,
            reject("field.too-many:clothing"))
        add(
            "huge-array", "100,000 clothing lines", opened.setting("clothing", Array(repeating: "白い運動靴", count: 100_000)).message,
            reject("field.too-many:clothing"))
        add(
            "huge-array", "10,000 features", opened.setting("person.features", Array(repeating: "杖", count: 10_000)).message,
            reject("field.too-many:person.features"))
        add(
            "huge-array", "300,000 belongings (numbers)",
            opened.settingRaw("belongings", "[" + Array(repeating: "0", count: 300_000).joined(separator: ",") + "]").message,
            reject("field.too-many:belongings"))
        add(
            "huge-array", "50,000 empty objects as clothing",
            opened.settingRaw("clothing", "[" + Array(repeating: "{}", count: 50_000).joined(separator: ",") + "]").message,
            reject("field.too-many:clothing"))
        add(
            "huge-array", "object with 100,000 keys",
            opened.settingRaw("futureField", "{" + (0..<100_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}").message,
            .planned)

        // Very long strings.
        let longs: [(String, Int, String)] = [
            ("person.name", 101, "field.too-long:person.name"), ("person.name", 1_000_000, "field.too-long:person.name"),
            ("person.nameKana", 101, "field.too-long:person.nameKana"), ("person.hair", 101, "field.too-long:person.hair"),
            ("lastSeen.place", 201, "field.too-long:lastSeen.place"), ("lastSeen.direction", 100_000, "field.too-long:lastSeen.direction"),
            ("contact.organization", 101, "field.too-long:contact.organization"), ("municipality", 65, "field.too-long:municipality"),
            ("messageId", 37, "field.too-long:messageId"), ("issuedAt", 41, "field.too-long:issuedAt"),
            ("person.registrationId", 65, "field.too-long:person.registrationId"),
        ]
        for (path, length, reason) in longs {
            let unit = path == "person.nameKana" ? "な" : (path == "municipality" || path == "messageId" || path == "issuedAt" ? "a" : "花")
            add("long-string", "\(path) of \(length)", opened.setting(path, String(repeating: unit, count: length)).message, reject(reason))
        }
        add(
            "long-string", "clothing line of 201", opened.setting("clothing", ["帽子", String(repeating: "紺", count: 201)]).message,
            reject("field.too-long:clothing[1]"))
        add(
            "long-string", "phone of 31", opened.setting("contact.phone", String(repeating: "0", count: 31)).message,
            reject("field.too-long:contact.phone"))
        add(
            "long-string", "3 MB unknown string",
            opened.settingRaw("futureField", quoted(String(repeating: "x", count: 3_000_000))).message, .planned)

        // Control characters.
        let controls: [(String, String, String)] = [
            ("person.name", "紀美野\n花子", "line feed"), ("person.name", "紀美野\r花子", "carriage return"), ("person.name", "紀美野\t花子", "tab"),
            ("person.name", "紀美野\u{7}花子", "bell"), ("person.name", "\u{1B}[31m紀美野 花子\u{1B}[0m", "ANSI escape"),
            ("person.name", "紀美野\u{7F}花子", "DEL"), ("person.name", "紀美野\u{85}花子", "NEL"), ("person.hair", "白髪\u{8}\u{8}黒髪", "backspace"),
            ("lastSeen.place", "県道\u{2028}沿い", "line separator"), ("lastSeen.direction", "海南市\u{2029}方向", "paragraph separator"),
            ("contact.organization", "海南警察署\u{C}", "form feed"), ("person.features", "杖\u{1}", "SOH"),
        ]
        for (path, value, label) in controls {
            let draft = path == "person.features" ? opened.setting(path, [value]) : opened.setting(path, value)
            let field = path == "person.features" ? "person.features[0]" : path
            add(
                "control-character", "\(label) in \(path)", draft.message, reject("field.control-character:\(field)"), personalData: [value]
            )
        }
        add(
            "control-character", "escape in a clothing line", opened.setting("clothing", ["帽子", "上着\u{1B}]0;title\u{7}"]).message,
            reject("field.control-character:clothing[1]"))

        // Bidirectional overrides.
        for (scalar, path) in [
            ("\u{202A}", "person.name"), ("\u{202B}", "person.name"), ("\u{202C}", "lastSeen.place"),
            ("\u{202D}", "person.build"), ("\u{202E}", "person.name"), ("\u{2066}", "lastSeen.direction"),
            ("\u{2067}", "contact.organization"), ("\u{2068}", "person.hair"), ("\u{2069}", "person.residenceArea"),
        ] {
            let value = "紀美野\(scalar)花子"
            add(
                "bidi-override", "U+\(String(scalar.unicodeScalars.first!.value, radix: 16, uppercase: true)) in \(path)",
                opened.setting(path, value).message, reject("field.control-character:\(path)"), personalData: [value])
        }
        add(
            "bidi-override", "U+202E in a clothing line", opened.setting("clothing", ["\u{202E}靴運い白"]).message,
            reject("field.control-character:clothing[0]"))

        // NUL bytes.
        let nulBody = opened.setting("person.name", "紀美野@@X@@花子").bytes
        add(
            "nul", "raw NUL in the name", signed(Array(nulBody.split(separator: Array("@@X@@".utf8), maxSplits: 1).joined(separator: [0]))),
            reject("body.not-json"))
        add("nul", "raw NUL between tokens", signed([UInt8]("{\"schema\":\0\"mimamori.case/1\"}".utf8)), reject("body.not-json"))
        add("nul", "NUL after the body", signed(openedBytes + [0]), reject("body.not-json"))
        add(
            "nul", "escaped NUL in the name", opened.setting("person.name", "紀美野\u{0}花子").message,
            reject("field.control-character:person.name"))
        add(
            "nul", "escaped NUL in the case id", opened.setting("caseId", "KN-2026-0042\u{0}").message,
            reject("field.control-character:caseId"))
        add("nul", "only NULs", signed([UInt8](repeating: 0, count: 1024)), reject("body.not-json"))

        // Template syntax in the data: accepted, rendered literally.
        let templates: [(String, String)] = [
            ("person.name", "{{town.name}} 花子"), ("person.name", "{{{caseRef}}}"), ("person.name", "{{#drill}}訓練{{/drill}}"),
            ("person.name", "{{>partial}}"), ("person.name", "{{=<% %>=}}<%caseRef%>"), ("person.name", "{{"), ("person.name", "}}{{!"),
            ("person.name", "{{^drill}}本物{{/drill}}"), ("person.hair", "{{person.name}}"), ("person.build", "{{%CONTENT_TYPE:HTML}}"),
            ("lastSeen.place", "{{#lastSeen}}{{place}}{{/lastSeen}}"), ("lastSeen.direction", "{{{{"),
            ("contact.organization", "{{mark}}警察署"),
            ("person.residenceArea", "{{> alert.fax}}"),
        ]
        for (path, value) in templates {
            add(
                "template-syntax", "\(value) in \(path)", opened.setting(path, value).message, .planned, personalData: [value],
                literals: [value])
        }
        for value in ["{{", "{{{", "{{#", "{{>partial}}", "{{=<% %>=}}", "{{/x}}", "| 氏名 | 偽名", "# 偽の表題"] {
            add(
                "template-syntax", "\(value) in clothing", opened.setting("clothing", ["紺色の上着", value]).message, .planned,
                personalData: [value], literals: [value])
        }
        add(
            "template-syntax", "in features and belongings",
            opened.setting("person.features", ["{{#town}}{{name}}{{/town}}"]).setting("belongings", ["{{{town.phone}}}"]).message, .planned,
            literals: ["{{#town}}{{name}}{{/town}}", "{{{town.phone}}}"])
        add(
            "template-syntax", "in an update", Draft.updated(2, sequence: 2).setting("person.name", "{{caseRef}}").message, .planned,
            prelude: [opened.message], literals: ["{{caseRef}}"])
        add(
            "template-syntax", "in a drill", opened.setting("drill", true).setting("clothing", ["{{^drill}}本物{{/drill}}"]).message,
            .planned,
            literals: ["{{^drill}}本物{{/drill}}"])
        add(
            "template-syntax", "in the kana (not kana)", opened.setting("person.nameKana", "{{name}}").message,
            reject("field.invalid:person.nameKana"))

        // Numbers out of range.
        let numbers: [(String, String, String)] = [
            ("person.age", "-1", "field.range:person.age"), ("person.age", "131", "field.range:person.age"),
            ("person.age", "1e309", "body.not-json"), ("person.age", "-1e309", "body.not-json"),
            ("person.age", "1e20", "field.type:person.age"),
            ("person.age", "9223372036854775808", "field.type:person.age"),
            ("person.age", "-9223372036854775809", "field.range:person.age"),
            ("person.heightCm", "10000", "field.range:person.heightCm"), ("person.heightCm", "0", "field.range:person.heightCm"),
            ("person.heightCm", "-150", "field.range:person.heightCm"), ("sequence", "0", "field.range:sequence"),
            ("sequence", "-1", "field.range:sequence"), ("sequence", "9007199254740993", "field.range:sequence"),
            ("sequence", "9223372036854775807", "field.range:sequence"), ("sequence", "1e309", "body.not-json"),
            ("sequence", "1.0e0", "-"),
        ]
        for (path, text, reason) in numbers {
            add("number-range", "\(path) = \(text)", opened.settingRaw(path, text).message, reason == "-" ? .planned : reject(reason))
        }
        add(
            "number-range", "shelter for 0 days",
            closedDraft.setting("closure.shelter", ["facilityId": "yasuragi", "expectedDays": 0]).message,
            reject("field.range:closure.shelter.expectedDays"), prelude: [opened.message])
        add(
            "number-range", "shelter for 8 days",
            closedDraft.setting("closure.shelter", ["facilityId": "yasuragi", "expectedDays": 8]).message,
            reject("field.range:closure.shelter.expectedDays"), prelude: [opened.message])

        // Bad dates.
        let dates: [(String, String)] = [
            ("issuedAt", "2026-13-01T16:00:00+09:00"), ("issuedAt", "2026-02-30T16:00:00+09:00"), ("issuedAt", "2026-11-27"),
            ("issuedAt", "2026-11-27T25:00:00+09:00"), ("issuedAt", "2026-11-27T16:00:00+24:00"), ("issuedAt", "2026-11-27T16:00:00"),
            ("issuedAt", "昨日の夕方"), ("issuedAt", "2026-11-27T16:00:00.1234567890+09:00"), ("issuedAt", "1795000000"),
            ("lastSeen.at", "2026-11-27 15:30:00+09:00"), ("lastSeen.at", "２０２６-11-27T15:30:00+09:00"),
            ("lastSeen.at", "-001-11-27T15:30:00Z"),
        ]
        for (path, text) in dates {
            add("bad-date", "\(path) \(text)", opened.setting(path, text).message, reject("field.time:\(path)"))
        }
        add(
            "bad-date", "closure.at without offset", closedDraft.setting("closure.at", "2026-11-27T19:05:00").message,
            reject("field.time:closure.at"), prelude: [opened.message])

        // Case id shapes.
        for (label, caseID, reason) in [
            ("../", "../../etc/passwd", "field.invalid:caseId"), ("space", "KN 2026 0042", "field.invalid:caseId"),
            ("65 characters", String(repeating: "A", count: 65), "field.too-long:caseId"),
            ("64 characters is fine", String(repeating: "A", count: 64), "-"),
            ("empty", "", "field.missing:caseId"), ("blank", "   ", "field.missing:caseId"),
            ("underscore", "KN_2026", "field.invalid:caseId"), ("full-width", "ＫＮ－２０２６", "field.invalid:caseId"),
            ("slash", "KN/0042", "field.invalid:caseId"), ("percent-encoded", "%2e%2e%2f", "field.invalid:caseId"),
            ("SQL", "KN';DROP TABLE cases;--", "field.invalid:caseId"), ("newline", "KN\n0042", "field.control-character:caseId"),
        ] {
            add("case-id", label, opened.setting("caseId", caseID).message, reason == "-" ? .planned : reject(reason))
        }
        add("case-id", "messageId not a UUID", opened.setting("messageId", "../../x").message, reject("field.invalid:messageId"))

        // Duplicate keys.
        func duplicated(_ text: String, _ first: String, _ second: String) -> [UInt8] {
            Array(text.replacingOccurrences(of: first, with: first + "," + second).utf8)
        }
        let compact = String(decoding: openedBytes, as: UTF8.self)
        add(
            "duplicate-key", "sequence twice", signed(duplicated(compact, "\"sequence\":1", "\"sequence\":2")), reject("body.duplicate-key")
        )
        add(
            "duplicate-key", "consent.cooperators false then true",
            signed(duplicated(compact, "\"cooperators\":true", "\"cooperators\":false")), reject("body.duplicate-key"))
        add(
            "duplicate-key", "schema twice",
            signed(duplicated(compact, "\"schema\":\"mimamori.case/1\"", "\"schema\":\"mimamori.case/2\"")),
            reject("body.duplicate-key"))
        add(
            "duplicate-key", "in an unknown field", opened.settingRaw("futureField", "{\"a\":1,\"a\":1}").message,
            reject("body.duplicate-key"))

        // Drill flag flips mid-case.
        add(
            "drill-flip", "real case, drill update", Draft.updated(2, sequence: 2).setting("drill", true).message,
            reject("case.drill-mismatch"),
            prelude: [opened.message])
        add(
            "drill-flip", "drill case, real update", Draft.updated(2, sequence: 2).message, reject("case.drill-mismatch"),
            prelude: [opened.setting("drill", true).message])
        add(
            "drill-flip", "drill case, real closure", Draft.closed(2, sequence: 2).message, reject("case.drill-mismatch"),
            prelude: [opened.setting("drill", true).message])
        add(
            "drill-flip", "real case, drill closure", Draft.closed(2, sequence: 2).setting("drill", true).message,
            reject("case.drill-mismatch"),
            prelude: [opened.message])

        // Another municipality's event.
        add("other-municipality", "kainan", opened.setting("municipality", "kainan").message, reject("case.other-municipality"))
        add("other-municipality", "kimino-drill", opened.setting("municipality", "kimino-drill").message, reject("case.other-municipality"))
        add(
            "other-municipality", "closed for kainan", Draft.closed(2, sequence: 2).setting("municipality", "kainan").message,
            reject("case.other-municipality"), prelude: [opened.message])
        add("other-municipality", "upper case", opened.setting("municipality", "Kimino").message, reject("field.invalid:municipality"))
        add(
            "other-municipality", "routing key characters", opened.setting("municipality", "kimino.#").message,
            reject("field.invalid:municipality"))
        add("other-municipality", "path", opened.setting("municipality", "../kimino").message, reject("field.invalid:municipality"))

        return cases
    }
}

/// A fixed stream of pseudo-random numbers (SplitMix64): the corpus is the same in every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Foundation
import Testing

@testable import MimamoriCore

@Suite("CaseEvent decoding and validation")
struct CaseEventTests {
    @Test func decodesTheSampleEvent() throws {
        let e = try Sample.opened()
        #expect(e.caseID == CaseID("KN-2026-0042"))
        #expect(e.sequence == 1 && e.kind == .opened && !e.drill)
        #expect(e.person?.name == "紀美野 花子")
        #expect(e.person?.nameKana == "きみの はなこ")
        #expect(e.person?.age == 82 && e.person?.heightCm == 150 && e.person?.sex == .female)
        #expect(e.clothing.count == 4)
        #expect(e.lastSeen?.at == Sample.at("2026-11-27T06:30:00Z"))
        #expect(e.lastSeen?.area == "下佐々")
        #expect(e.photo?.mediaType == .png && e.photo?.data.count == 70)
        #expect(e.consent == CaseEvent.Consent(cooperators: true, radio: true, photo: true))
        #expect(e.contact?.organization == "海南警察署")
        #expect(e.closure == nil)
    }

    @Test func decodesAClosedEventWithoutDescription() throws {
        let e = try Sample.closed()
        #expect(e.kind == .closed && e.closure?.reason == .found && e.person == nil)
        #expect(e.consent == .withheld)
    }

    struct Breakage: CustomTestStringConvertible, Sendable {
        let name: String
        let expected: CaseEventError
        let change: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { name }
    }

    static func person(_ change: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void {
        { json in
            var p = json["person"] as! [String: Any]
            change(&p)
            json["person"] = p
        }
    }

    static let breakages: [Breakage] = [
        .init(name: "schema missing", expected: .missing(field: "schema")) { $0["schema"] = nil },
        .init(name: "schema unknown", expected: .unknownSchema) { $0["schema"] = "mimamori.case/2" },
        .init(name: "messageId missing", expected: .missing(field: "messageId")) { $0["messageId"] = nil },
        .init(name: "messageId not a UUID", expected: .invalid(field: "messageId")) { $0["messageId"] = "42" },
        .init(name: "caseId bad", expected: .invalid(field: "caseId")) { $0["caseId"] = "KN 0042/../" },
        .init(name: "caseId too long", expected: .tooLong(field: "caseId", limit: 64)) { $0["caseId"] = String(repeating: "a", count: 65) },
        .init(name: "sequence zero", expected: .outOfRange(field: "sequence")) { $0["sequence"] = 0 },
        .init(name: "sequence string", expected: .wrongType(field: "sequence", expected: "integer")) { $0["sequence"] = "1" },
        .init(name: "sequence fractional", expected: .wrongType(field: "sequence", expected: "integer")) { $0["sequence"] = 1.5 },
        .init(name: "kind unknown", expected: .outOfRange(field: "kind")) { $0["kind"] = "reopened" },
        .init(name: "issuedAt without offset", expected: .badTime(field: "issuedAt")) { $0["issuedAt"] = "2026-11-27T16:00:00" },
        .init(name: "issuedAt impossible date", expected: .badTime(field: "issuedAt")) { $0["issuedAt"] = "2026-02-30T16:00:00+09:00" },
        .init(name: "issuedAt a number", expected: .wrongType(field: "issuedAt", expected: "string")) { $0["issuedAt"] = 1_700_000_000 },
        .init(name: "municipality upper case", expected: .invalid(field: "municipality")) { $0["municipality"] = "Kimino Town" },
        .init(name: "drill not a bool", expected: .wrongType(field: "drill", expected: "boolean")) { $0["drill"] = "yes" },
        .init(name: "drill a number", expected: .wrongType(field: "drill", expected: "boolean")) { $0["drill"] = 1 },
        .init(name: "person missing", expected: .missing(field: "person")) { $0["person"] = nil },
        .init(name: "person not an object", expected: .wrongType(field: "person", expected: "object")) { $0["person"] = "花子" },
        .init(name: "person.age missing", expected: .missing(field: "person.age"), change: person { $0["age"] = nil }),
        .init(name: "person.age out of range", expected: .outOfRange(field: "person.age"), change: person { $0["age"] = 200 }),
        .init(
            name: "person.age a string", expected: .wrongType(field: "person.age", expected: "integer"), change: person { $0["age"] = "82" }
        ),
        .init(name: "person.name empty", expected: .missing(field: "person.name"), change: person { $0["name"] = "  " }),
        .init(
            name: "person.name too long", expected: .tooLong(field: "person.name", limit: 100),
            change: person { $0["name"] = String(repeating: "花", count: 101) }),
        .init(
            name: "person.name with a line break", expected: .controlCharacter(field: "person.name"),
            change: person { $0["name"] = "花子\n様" }),
        .init(name: "person.name with NUL", expected: .controlCharacter(field: "person.name"), change: person { $0["name"] = "花子\u{0}" }),
        .init(
            name: "person.name with a bidi override", expected: .controlCharacter(field: "person.name"),
            change: person { $0["name"] = "花子\u{202E}" }),
        .init(name: "lastSeen.place with a line separator", expected: .controlCharacter(field: "lastSeen.place")) {
            $0["lastSeen"] = ["at": "2026-11-27T15:30:00+09:00", "place": "県道\u{2028}沿い"]
        },
        .init(name: "person.nameKana in kanji", expected: .invalid(field: "person.nameKana"), change: person { $0["nameKana"] = "紀美野 花子" }),
        .init(name: "person.sex unknown value", expected: .outOfRange(field: "person.sex"), change: person { $0["sex"] = "F" }),
        .init(
            name: "person.heightCm out of range", expected: .outOfRange(field: "person.heightCm"), change: person { $0["heightCm"] = 15 }),
        .init(
            name: "person.features not an array", expected: .wrongType(field: "person.features", expected: "array of strings"),
            change: person { $0["features"] = "杖" }),
        .init(
            name: "person.features element a number", expected: .wrongType(field: "person.features[1]", expected: "string"),
            change: person { $0["features"] = ["杖", 3] }),
        .init(name: "clothing too many", expected: .tooMany(field: "clothing", limit: 20)) {
            $0["clothing"] = Array(repeating: "靴", count: 21)
        },
        .init(name: "clothing element with a tab", expected: .controlCharacter(field: "clothing[2]")) {
            $0["clothing"] = ["帽子", "上着", "ズボン\t靴"]
        },
        .init(name: "belongings element too long", expected: .tooLong(field: "belongings[0]", limit: 200)) {
            $0["belongings"] = [String(repeating: "袋", count: 201)]
        },
        .init(name: "lastSeen missing", expected: .missing(field: "lastSeen")) { $0["lastSeen"] = nil },
        .init(name: "lastSeen.at bad time", expected: .badTime(field: "lastSeen.at")) { $0["lastSeen"] = ["at": "昨日の夕方", "place": "県道"] },
        .init(name: "lastSeen.place missing", expected: .missing(field: "lastSeen.place")) {
            $0["lastSeen"] = ["at": "2026-11-27T15:30:00+09:00"]
        },
        .init(name: "consent missing", expected: .missing(field: "consent")) { $0["consent"] = nil },
        .init(name: "consent.cooperators missing", expected: .missing(field: "consent.cooperators")) { $0["consent"] = ["radio": true] },
        .init(name: "consent.radio not a bool", expected: .wrongType(field: "consent.radio", expected: "boolean")) {
            $0["consent"] = ["cooperators": true, "radio": "yes"]
        },
        .init(name: "contact missing", expected: .missing(field: "contact")) { $0["contact"] = nil },
        .init(name: "contact.phone not a number", expected: .invalid(field: "contact.phone")) {
            $0["contact"] = ["organization": "海南警察署", "phone": "call us"]
        },
        .init(name: "photo.mediaType unknown", expected: .outOfRange(field: "photo.mediaType")) {
            $0["photo"] = ["mediaType": "image/gif", "data": "AAAA"]
        },
        .init(name: "photo.data not base64", expected: .invalid(field: "photo.data")) {
            $0["photo"] = ["mediaType": "image/png", "data": "%%%"]
        },
        .init(name: "photo.data missing", expected: .missing(field: "photo.data")) { $0["photo"] = ["mediaType": "image/png"] },
        .init(name: "closure on an opened event", expected: .unexpected(field: "closure")) {
            $0["closure"] = ["at": "2026-11-27T19:05:00+09:00", "reason": "found"]
        },
        .init(name: "closed without closure", expected: .missing(field: "closure")) { $0["kind"] = "closed" },
        .init(name: "closure.reason unknown", expected: .outOfRange(field: "closure.reason")) {
            $0["kind"] = "closed"
            $0["closure"] = ["at": "2026-11-27T19:05:00+09:00", "reason": "deceased"]
        },
        .init(name: "closure.shelter.expectedDays beyond 7", expected: .outOfRange(field: "closure.shelter.expectedDays")) {
            $0["kind"] = "closed"
            $0["closure"] = [
                "at": "2026-11-27T19:05:00+09:00", "reason": "found", "shelter": ["facilityId": "yasuragi", "expectedDays": 8],
            ]
        },
    ]

    @Test(arguments: breakages)
    func namesTheBrokenField(_ breakage: Breakage) throws {
        var json = try Sample.json()
        breakage.change(&json)
        let body = try Sample.bytes(json)
        #expect(throws: breakage.expected) { try CaseEvent.decode(body) }
    }

    @Test(arguments: breakages)
    func reasonsNeverContainPersonalData(_ breakage: Breakage) throws {
        let reason = breakage.expected.reason
        for value in ["花子", "きみの", "82", "下佐々", "カーディガン", "073"] {
            #expect(!reason.contains(value))
        }
        #expect(reason.allSatisfy { $0.isASCII })
    }

    @Test func nullMeansAbsent() throws {
        var json = try Sample.json()
        json["photo"] = NSNull()
        let e = try CaseEvent.decode(try Sample.bytes(json))
        #expect(e.photo == nil)
    }

    @Test func rejectsOversizedBodies() {
        var limits = CaseEvent.Limits()
        limits.maxBodyBytes = 100
        #expect(throws: CaseEventError.oversized(bytes: 101, limit: 100)) {
            try CaseEvent.decode(Array(repeating: UInt8(0x20), count: 101), limits: limits)
        }
        let big = [UInt8](repeating: 0x20, count: 4 * 1024 * 1024 + 1)
        #expect(throws: CaseEventError.oversized(bytes: big.count, limit: 4 * 1024 * 1024)) { try CaseEvent.decode(big) }
    }

    @Test func rejectsTooLargePhotos() throws {
        var limits = CaseEvent.Limits()
        limits.maxPhotoBytes = 1000
        var json = try Sample.json()
        json["photo"] = ["mediaType": "image/jpeg", "data": Data(repeating: 7, count: 1500).base64EncodedString()]
        let body = try Sample.bytes(json)
        #expect(throws: CaseEventError.photoTooLarge(bytes: 1500, limit: 1000)) { try CaseEvent.decode(body, limits: limits) }
    }

    @Test func rejectsInvalidUTF8AndNonJSON() {
        #expect(throws: CaseEventError.invalidUTF8) { try CaseEvent.decode([0x7B, 0xFF, 0xFE, 0x7D]) }
        #expect(throws: CaseEventError.notJSON) { try CaseEvent.decode(Array("{\"schema\":".utf8)) }
        #expect(throws: CaseEventError.notAnObject) { try CaseEvent.decode(Array("[1,2]".utf8)) }
    }

    @Test func ignoresUnknownFields() throws {
        var json = try Sample.json()
        json["somethingNew"] = ["nested": [1, 2, 3]]
        json["person"] = (json["person"] as! [String: Any]).merging(["bloodType": "A"]) { a, _ in a }
        #expect(try CaseEvent.decode(try Sample.bytes(json)).person?.age == 82)
    }

    @Test(arguments: [
        ("2026-11-27T15:30:00+09:00", "2026-11-27T06:30:00Z"),
        ("2026-11-27T06:30:00Z", "2026-11-27T06:30:00Z"),
        ("2026-11-27t06:30:00.500z", "2026-11-27T06:30:00Z"),
        ("2026-11-26T21:30:00-09:00", "2026-11-27T06:30:00Z"),
        ("2024-02-29T00:00:00+00:00", "2024-02-29T00:00:00Z"),
    ])
    func parsesRFC3339(_ text: String, _ utc: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date, offsetSeconds: 0) == utc)
    }

    @Test(arguments: [
        "2026-11-27 15:30:00+09:00", "2026-11-27T15:30:00", "2026-11-27T15:30+09:00", "2025-02-29T00:00:00Z",
        "2026-11-27T24:00:00Z", "2026-11-27T15:30:00+0900", "2026-11-27T15:30:00.Z", "",
    ])
    func refusesOtherTimeForms(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func theEnvelopeNamesTheSchemaAndIntakeRoutesByIt() throws {
        let body = try Files.fixture("event-opened.json")
        #expect(try EventEnvelope.open(body).schema == .case)
        #expect(EventSchema(rawValue: CaseEvent.schema) == .case)
        var object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        object["schema"] = "mimamori.case/2"
        let unknown = [UInt8](try JSONSerialization.data(withJSONObject: object))
        #expect { try EventEnvelope.open(unknown) } throws: { ($0 as? CaseEventError)?.reason == "schema.unknown" }
        // A case body under the concern schema opens as a concern, and the case decoder refuses it.
        object["schema"] = "mimamori.concern/1"
        let concern = [UInt8](try JSONSerialization.data(withJSONObject: object))
        #expect(try EventEnvelope.open(concern).schema == .concern)
        #expect(throws: CaseEventError.unknownSchema) { try CaseEvent.decode(concern) }
        object["schema"] = NSNull()
        let null = [UInt8](try JSONSerialization.data(withJSONObject: object))
        #expect(throws: CaseEventError.unknownSchema) { try EventEnvelope.open(null) }
        object["schema"] = nil
        let missing = [UInt8](try JSONSerialization.data(withJSONObject: object))
        #expect(throws: CaseEventError.missing(field: "schema")) { try EventEnvelope.open(missing) }
    }
}

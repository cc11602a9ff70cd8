import Foundation
import Testing

@testable import MimamoriCore

@Suite("JSON parsing of event bodies")
struct JSONParsingTests {
    func parse(_ text: String, maxDepth: Int = 32) -> Result<JSONValue, JSONValue.ParseError> {
        JSONValue.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [null, true, false, 82, -0, 82.5, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", {}, []]} "#).get()
        #expect(
            value
                == .object([
                    "a": .array([
                        .null, .bool(true), .bool(false), .int(82), .int(0), .double(82.5),
                        .string("x\"\\/\u{8}\u{C}\n\r\té😀"), .object([:]), .array([]),
                    ])
                ]))
    }

    @Test(arguments: [
        ("82.0", JSONValue.int(82)), ("1e2", .int(100)), ("-1", .int(-1)), ("1e20", .double(1e20)),
        ("99999999999999999999", .double(1e20)), ("0.5", .double(0.5)), ("9223372036854775807", .int(Int.max)),
    ])
    func numbersAsJSONDecoderReadThem(_ text: String, _ expected: JSONValue) throws {
        #expect(try parse(text).get() == expected)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "1e309",
        "-1e309", "NaN", "Infinity", "tru", "nul", "'a'", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
        "\"\\ud800\\u0041\"", "\"\\udc00\"", "\"a\tb\"", "{} {}", "[1] x", "{\"a\":1 /* c */}", "[1]]",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(parse(text) == .failure(.invalid))
    }

    @Test func boundsTheNesting() {
        #expect((try? parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)).get()) != nil)
        #expect(parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == .failure(.tooDeep))
        #expect(parse(String(repeating: "{\"a\":", count: 33) + "1" + String(repeating: "}", count: 33)) == .failure(.tooDeep))
        // Refused at the 33rd bracket, without reading (or recursing into) the rest.
        #expect(parse(String(repeating: "[", count: 100_000)) == .failure(.tooDeep))
    }

    @Test func refusesDuplicateKeysAtAnyDepth() {
        #expect(parse(#"{"a":1,"a":2}"#) == .failure(.duplicateKey))
        #expect(parse(#"{"x":[{"b":true,"b":true}]}"#) == .failure(.duplicateKey))
        #expect((try? parse(#"{"a":{"a":1}}"#).get()) != nil)
    }

    @Test func acceptsAByteOrderMarkButNotUTF16() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8), maxDepth: 4).get() == .object(["a": .int(1)]))
        // UTF-16LE of {"a":"あ"}: valid UTF-8 byte by byte (NULs and ASCII), but not UTF-8 JSON.
        let utf16 = Array("{\"a\":\"あ\"}".data(using: .utf16LittleEndian)!)
        #expect(JSONValue.parse(utf16, maxDepth: 4) == .failure(.invalid))
    }

    @Test func eventDecodingNamesTheNewReasons() throws {
        #expect(throws: CaseEventError.tooDeep(limit: 32)) { try CaseEvent.decode(Array(String(repeating: "[", count: 100_000).utf8)) }
        var text = try Files.fixtureText("event-opened.json")
        text = text.replacingOccurrences(of: #""sequence": 1,"#, with: #""sequence": 1, "sequence": 2,"#)
        #expect(throws: CaseEventError.duplicateKey) { try CaseEvent.decode(Array(text.utf8)) }
        #expect(CaseEventError.tooDeep(limit: 32).reason == "body.too-deep")
        #expect(CaseEventError.duplicateKey.reason == "body.duplicate-key")
        let utf16 = Array(try Files.fixtureText("event-opened.json").data(using: .utf16LittleEndian)!)
        #expect(throws: (any Error).self) { try CaseEvent.decode(utf16) }
    }

    /// Regression: with JSONDecoder, 1 MiB of arrays nested 8 deep took seconds and 500 deep
    /// took over a second per kilobyte. Only completion is checked here; timings are `make bench`'s.
    @Test func wideAndNestedBodiesParse() throws {
        let chain = String(repeating: "[", count: 30) + String(repeating: "]", count: 30)
        let body = "[" + Array(repeating: chain, count: 20_000).joined(separator: ",") + "]"
        guard case .array(let items) = try parse(body).get() else {
            Issue.record("not an array")
            return
        }
        #expect(items.count == 20_000)
    }
}

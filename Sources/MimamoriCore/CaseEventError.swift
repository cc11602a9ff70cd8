/// Why an event can never be accepted (the intake dead-letters it).
///
/// `reason` goes into the `x-mimamori-reason` header and the log: it names the schema field
/// path (`person.age`, `clothing[3]`) and never a value, so it cannot leak personal data.
public enum CaseEventError: Error, Sendable, Hashable, CustomStringConvertible {
    case oversized(bytes: Int, limit: Int)
    case invalidUTF8
    case notJSON
    case notAnObject
    /// Arrays and objects nested deeper than `Limits.maxDepth`.
    case tooDeep(limit: Int)
    /// An object with the same key twice (RFC 8259 leaves the meaning open).
    case duplicateKey
    case unknownSchema
    case missing(field: String)
    case wrongType(field: String, expected: String)
    case outOfRange(field: String)
    /// A value of the right type but the wrong shape (case id, UUID, kana, base64).
    case invalid(field: String)
    case tooLong(field: String, limit: Int)
    case tooMany(field: String, limit: Int)
    case controlCharacter(field: String)
    case badTime(field: String)
    case photoTooLarge(bytes: Int, limit: Int)
    /// A field that the event's kind does not allow (`closure` outside `closed`).
    case unexpected(field: String)

    /// Short, stable, machine-readable; free of personal data by construction.
    public var reason: String {
        switch self {
        case .oversized: "body.oversized"
        case .invalidUTF8: "body.invalid-utf8"
        case .notJSON: "body.not-json"
        case .notAnObject: "body.not-object"
        case .tooDeep: "body.too-deep"
        case .duplicateKey: "body.duplicate-key"
        case .unknownSchema: "schema.unknown"
        case .missing(let f): "field.missing:\(f)"
        case .wrongType(let f, _): "field.type:\(f)"
        case .outOfRange(let f): "field.range:\(f)"
        case .invalid(let f): "field.invalid:\(f)"
        case .tooLong(let f, _): "field.too-long:\(f)"
        case .tooMany(let f, _): "field.too-many:\(f)"
        case .controlCharacter(let f): "field.control-character:\(f)"
        case .badTime(let f): "field.time:\(f)"
        case .photoTooLarge: "photo.too-large"
        case .unexpected(let f): "field.unexpected:\(f)"
        }
    }

    /// What the operator (or the publisher's operator) should do about it.
    public var operatorHint: String {
        switch self {
        case .oversized(let bytes, let limit):
            "the event is \(bytes) bytes, more than \(limit): ask the publisher to send a smaller photo"
        case .invalidUTF8, .notJSON, .notAnObject:
            "the message body is not a JSON object in UTF-8: check the publisher's encoder"
        case .tooDeep(let limit):
            "the message body nests arrays/objects more than \(limit) deep: check the publisher's encoder"
        case .duplicateKey:
            "an object in the message body has the same key twice: check the publisher's encoder"
        case .unknownSchema:
            "the event's schema is none of \(EventSchema.allCases.map(\.rawValue).joined(separator: ", ")): check the publisher's version"
        case .missing(let f): "the publisher left out \(f): it is required (design 3.1)"
        case .wrongType(let f, let expected): "\(f) must be a \(expected) (design 3.1)"
        case .outOfRange(let f): "\(f) is outside its allowed values (design 3.1)"
        case .invalid(let f): "\(f) does not have the required form (design 3.1)"
        case .tooLong(let f, let limit): "\(f) is longer than \(limit) characters"
        case .tooMany(let f, let limit): "\(f) has more than \(limit) elements"
        case .controlCharacter(let f): "\(f) contains control characters (line breaks, tabs…) which notices cannot show"
        case .badTime(let f): "\(f) must be an RFC 3339 time with an offset, e.g. 2026-11-27T15:30:00+09:00"
        case .photoTooLarge(let bytes, let limit):
            "the photo is \(bytes) bytes, more than \(limit): ask the publisher to send a smaller one"
        case .unexpected(let f): "\(f) is not allowed in an event of this kind (closure: closed cases only; result: resolved concerns only)"
        }
    }

    public var description: String { "\(reason): \(operatorHint)" }
}

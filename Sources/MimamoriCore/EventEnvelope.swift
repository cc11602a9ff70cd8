/// The event schemas intake knows. Each gets its own decoder, state and planner; intake routes a
/// message by the one its `schema` field names, and refuses any other as `schema.unknown`.
public enum EventSchema: String, Sendable, Hashable, CaseIterable {
    /// A missing person's case (design 3.1): `CaseEvent`, `CaseState`, `Planner`.
    case `case` = "mimamori.case/1"
    /// A concern about someone who may need help (みまさかほっとネット): `ConcernEvent`,
    /// `ConcernState`, `Configuration.Concerns.contactDesks`.
    case concern = "mimamori.concern/1"
}

/// A message body opened as far as every schema shares: within the size limit, UTF-8, one JSON
/// object (bounded depth, no key twice), naming a schema intake knows. What follows is the
/// schema's own decoder.
public struct EventEnvelope: Sendable {
    public let schema: EventSchema
    let object: [String: JSONValue]

    public static func open(_ body: some Collection<UInt8>, limits: CaseEvent.Limits = .default) throws(CaseEventError) -> EventEnvelope {
        guard body.count <= limits.maxBodyBytes else {
            throw .oversized(bytes: body.count, limit: limits.maxBodyBytes)
        }
        let bytes = Array(body)
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        let root: JSONValue
        switch JSONValue.parse(bytes, maxDepth: limits.maxDepth) {
        case .success(let value): root = value
        case .failure(.invalid): throw .notJSON
        case .failure(.tooDeep): throw .tooDeep(limit: limits.maxDepth)
        case .failure(.duplicateKey): throw .duplicateKey
        }
        guard case .object(let object) = root else { throw .notAnObject }
        switch object["schema"] {
        case .none: throw .missing(field: "schema")
        case .string(let name)?:
            guard let schema = EventSchema(rawValue: name) else { throw .unknownSchema }
            return EventEnvelope(schema: schema, object: object)
        default: throw .unknownSchema
        }
    }
}

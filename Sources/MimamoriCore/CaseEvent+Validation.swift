import Foundation

extension CaseEvent {
    /// Size and length bounds for incoming events. The defaults are generous for a real case
    /// (a name, a dozen clothing items) and small enough that one event cannot flood a FAX page.
    public struct Limits: Sendable, Hashable {
        /// Design 3.1: at most 4 MiB per message.
        public var maxBodyBytes = 4 * 1024 * 1024
        /// Decoded photo bytes; base64 makes it a third larger inside the body.
        public var maxPhotoBytes = 3 * 1024 * 1024
        /// Names, kana, build, hair, areas, organisation.
        public var maxShortText = 100
        /// Place, direction, one clothing/feature/belonging line.
        public var maxLongText = 200
        public var maxPhoneLength = 30
        public var maxArrayElements = 20
        /// Arrays and objects inside one another; a real event needs 3 (closure.shelter), unknown
        /// fields a few more. Bounds the parser's recursion and time.
        public var maxDepth = 32

        public init() {}
        public static let `default` = Limits()
    }

    /// Decodes and validates the exact message body. Unknown fields are ignored (design 3.1).
    public static func decode(_ body: some Collection<UInt8>, limits: Limits = .default) throws(CaseEventError) -> CaseEvent {
        try decode(try EventEnvelope.open(body, limits: limits), limits: limits)
    }

    /// The `mimamori.case/1` decoder of an opened message.
    public static func decode(_ envelope: EventEnvelope, limits: Limits = .default) throws(CaseEventError) -> CaseEvent {
        guard envelope.schema == .case else { throw .unknownSchema }
        return try FieldReader(object: envelope.object, path: "", limits: limits).caseEvent()
    }
}

/// Reads typed fields out of a JSON object, throwing errors that carry the field's path.
struct FieldReader {
    let object: [String: JSONValue]
    let path: String
    let limits: CaseEvent.Limits

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Null is treated as absent: publishers write `"photo": null` for "no photo".
    func value(_ key: String) -> JSONValue? {
        switch object[key] {
        case .none, .null?: nil
        case let value?: value
        }
    }

    func required<T>(_ key: String, _ read: (String) throws(CaseEventError) -> T?) throws(CaseEventError) -> T {
        guard let value = try read(key) else { throw .missing(field: at(key)) }
        return value
    }

    func string(_ key: String, max: Int) throws(CaseEventError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw .wrongType(field: at(key), expected: "string") }
        return try Self.checkText(text, field: at(key), max: max)
    }

    static func checkText(_ text: String, field: String, max: Int) throws(CaseEventError) -> String {
        // Control characters would break a FAX line, an email header or the radio script; line and
        // paragraph separators likewise; bidirectional overrides could make a FAX say something
        // other than the data (U+202A–202E, U+2066–2069).
        if text.unicodeScalars.contains(where: Self.isDisallowed) {
            throw .controlCharacter(field: field)
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .missing(field: field) }
        guard trimmed.count <= max else { throw .tooLong(field: field, limit: max) }
        return trimmed
    }

    static func isDisallowed(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(CaseEventError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .int(let number) = value else { throw .wrongType(field: at(key), expected: "integer") }
        guard range.contains(number) else { throw .outOfRange(field: at(key)) }
        return number
    }

    func bool(_ key: String) throws(CaseEventError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw .wrongType(field: at(key), expected: "boolean") }
        return flag
    }

    func time(_ key: String) throws(CaseEventError) -> Date? {
        guard let text = try string(key, max: 40) else { return nil }
        guard let date = Timestamp.parse(text) else { throw .badTime(field: at(key)) }
        return date
    }

    func strings(_ key: String, max: Int) throws(CaseEventError) -> [String] {
        guard let value = value(key) else { return [] }
        guard case .array(let items) = value else { throw .wrongType(field: at(key), expected: "array of strings") }
        guard items.count <= limits.maxArrayElements else {
            throw .tooMany(field: at(key), limit: limits.maxArrayElements)
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            let field = "\(at(key))[\(index)]"
            guard case .string(let text) = item else { throw .wrongType(field: field, expected: "string") }
            result.append(try Self.checkText(text, field: field, max: max))
        }
        return result
    }

    func object(_ key: String) throws(CaseEventError) -> FieldReader? {
        guard let value = value(key) else { return nil }
        guard case .object(let object) = value else { throw .wrongType(field: at(key), expected: "object") }
        return FieldReader(object: object, path: at(key), limits: limits)
    }

    func enumeration<E: RawRepresentable>(_ key: String, _ type: E.Type) throws(CaseEventError) -> E?
    where E.RawValue == String {
        guard let text = try string(key, max: 40) else { return nil }
        guard let value = E(rawValue: text) else { throw .outOfRange(field: at(key)) }
        return value
    }

    // MARK: the schema

    func caseEvent() throws(CaseEventError) -> CaseEvent {
        // The schema was judged first (`EventEnvelope.open`): another gets no field-by-field judgement.
        let messageText = try required("messageId") { k throws(CaseEventError) in try string(k, max: 36) }
        guard let messageID = UUID(uuidString: messageText) else { throw .invalid(field: "messageId") }
        let caseText = try required("caseId") { k throws(CaseEventError) in try string(k, max: 64) }
        guard CaseID.isValid(caseText) else { throw .invalid(field: "caseId") }
        let sequence = try required("sequence") { k throws(CaseEventError) in try int(k, in: 1...(1 << 53)) }
        let kind = try required("kind") { k throws(CaseEventError) in try enumeration(k, CaseEvent.Kind.self) }
        let issuedAt = try required("issuedAt") { k throws(CaseEventError) in try time(k) }
        let municipality = try municipality()
        let drill = try bool("drill") ?? false

        let needsDescription = kind != .closed
        let person = try object("person").map { r throws(CaseEventError) in try r.person() }
        let lastSeen = try object("lastSeen").map { r throws(CaseEventError) in try r.lastSeen() }
        let contact = try object("contact").map { r throws(CaseEventError) in try r.contact() }
        let consent = try object("consent").map { r throws(CaseEventError) in try r.consent() }
        if needsDescription {
            if person == nil { throw .missing(field: "person") }
            if lastSeen == nil { throw .missing(field: "lastSeen") }
            if consent == nil { throw .missing(field: "consent") }
            if contact == nil { throw .missing(field: "contact") }
        }
        let clothing = try strings("clothing", max: limits.maxLongText)
        let belongings = try strings("belongings", max: limits.maxLongText)
        let photo = try object("photo").map { r throws(CaseEventError) in try r.photo() }

        let closure = try object("closure").map { r throws(CaseEventError) in try r.closure() }
        if kind == .closed, closure == nil { throw .missing(field: "closure") }
        if kind != .closed, closure != nil { throw .unexpected(field: "closure") }

        return CaseEvent(
            messageID: messageID, caseID: CaseID(caseText), sequence: sequence, kind: kind, issuedAt: issuedAt,
            municipality: municipality, drill: drill, person: person, clothing: clothing, belongings: belongings,
            lastSeen: lastSeen, photo: photo, consent: consent ?? .withheld, contact: contact, closure: closure)
    }

    func person() throws(CaseEventError) -> CaseEvent.Person {
        let short = limits.maxShortText
        let name = try required("name") { k throws(CaseEventError) in try string(k, max: short) }
        let kana = try required("nameKana") { k throws(CaseEventError) in try string(k, max: short) }
        // The radio reads this aloud: only kana, spaces and the middle dot.
        guard kana.unicodeScalars.allSatisfy(Self.isKanaReading) else { throw .invalid(field: at("nameKana")) }
        return CaseEvent.Person(
            name: name, nameKana: kana,
            sex: try enumeration("sex", CaseEvent.Person.Sex.self) ?? .unknown,
            age: try required("age") { k throws(CaseEventError) in try int(k, in: 0...130) },
            heightCm: try int("heightCm", in: 50...250),
            build: try string("build", max: short),
            hair: try string("hair", max: short),
            features: try strings("features", max: limits.maxLongText),
            residenceArea: try string("residenceArea", max: short),
            registrationID: try string("registrationId", max: 64))
    }

    static func isKanaReading(_ s: Unicode.Scalar) -> Bool {
        (0x3041...0x309F).contains(s.value) || (0x30A0...0x30FF).contains(s.value) || s == " " || s == "\u{3000}"
    }

    func lastSeen() throws(CaseEventError) -> CaseEvent.LastSeen {
        CaseEvent.LastSeen(
            at: try required("at") { k throws(CaseEventError) in try time(k) },
            place: try required("place") { k throws(CaseEventError) in try string(k, max: limits.maxLongText) },
            direction: try string("direction", max: limits.maxLongText),
            area: try string("area", max: limits.maxShortText))
    }

    func consent() throws(CaseEventError) -> CaseEvent.Consent {
        // cooperators is required: silence must not be read as consent.
        CaseEvent.Consent(
            cooperators: try required("cooperators") { k throws(CaseEventError) in try bool(k) },
            radio: try bool("radio") ?? false,
            photo: try bool("photo") ?? false,
            partnerTowns: try bool("partnerTowns") ?? false)
    }

    func contact() throws(CaseEventError) -> CaseEvent.Contact {
        CaseEvent.Contact(
            organization: try required("organization") { k throws(CaseEventError) in try string(k, max: limits.maxShortText) },
            phone: try required("phone") { k throws(CaseEventError) in try phone(k) })
    }

    func photo() throws(CaseEventError) -> CaseEvent.Photo {
        let mediaType = try required("mediaType") { k throws(CaseEventError) in
            try enumeration(k, CaseEvent.Photo.MediaType.self)
        }
        guard case .string(let base64)? = value("data") else {
            if value("data") == nil { throw .missing(field: at("data")) }
            throw .wrongType(field: at("data"), expected: "string")
        }
        // Judge the size before decoding, so a huge photo costs no memory.
        let estimate = base64.utf8.count / 4 * 3
        guard estimate <= limits.maxPhotoBytes + 3 else {
            throw .photoTooLarge(bytes: estimate, limit: limits.maxPhotoBytes)
        }
        guard let data = Data(base64Encoded: base64), !data.isEmpty else { throw .invalid(field: at("data")) }
        guard data.count <= limits.maxPhotoBytes else {
            throw .photoTooLarge(bytes: data.count, limit: limits.maxPhotoBytes)
        }
        return CaseEvent.Photo(mediaType: mediaType, data: data)
    }

    func closure() throws(CaseEventError) -> CaseEvent.Closure {
        CaseEvent.Closure(
            at: try required("at") { k throws(CaseEventError) in try time(k) },
            reason: try required("reason") { k throws(CaseEventError) in try enumeration(k, CaseEvent.Closure.Reason.self) },
            shelter: try object("shelter").map { r throws(CaseEventError) in
                CaseEvent.Shelter(
                    facilityID: try r.required("facilityId") { k throws(CaseEventError) in try r.string(k, max: 64) },
                    // 緊急一時保護の取り扱い 第5条: 2 days, 7 at most.
                    expectedDays: try r.required("expectedDays") { k throws(CaseEventError) in
                        try r.int(k, in: 1...ShelterStay.maximumDays)
                    },
                    protectedBy: try r.string("protectedBy", max: limits.maxShortText),
                    approvedBy: try r.string("approvedBy", max: limits.maxShortText))
            })
    }
}

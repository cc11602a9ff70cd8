import Foundation

/// One message of schema `mimamori.concern/1`: a cooperating business's concern about someone
/// who may need help (みまさかほっとネット, seed section 7), or the desk's result for the reporter.
///
/// The ledger keeps a report as it keeps a case, under its `reportID` (a case id in shape): a
/// report is recorded, planned and purged with the same care.
/// Build one with `ConcernEvent.decode(_:)`, which validates every field.
public struct ConcernEvent: Sendable, Hashable, Codable {
    public static let schema = EventSchema.concern.rawValue

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// 情報提供: the concern as the reporter told it.
        case reported
        /// The desk's result (結果報告), for the reporter.
        case resolved
    }

    public var messageID: UUID
    public var reportID: CaseID
    public var sequence: Int
    public var kind: Kind
    public var issuedAt: Date
    public var municipality: String
    public var drill: Bool
    /// Required for `reported`.
    public var subject: Subject?
    /// 情報提供内容: what was noticed; outside the home, the landmark. Required for `reported`.
    public var observation: String?
    /// 緊急対応の有無. Required for `reported`: silence is not "not urgent".
    public var urgent: Bool
    /// 情報提供同意有無: the subject or the family agreed that the information be passed on.
    /// Required for `reported`: silence is not consent.
    public var consent: Bool
    /// Required for `reported`.
    public var reporter: Reporter?
    /// The desk staff's words for the reporter. Present exactly when `kind == .resolved`.
    public var result: String?

    /// 対象者: as far as the reporter knows (seed 7: わかる範囲で).
    public struct Subject: Sendable, Hashable, Codable {
        /// 氏名, when the reporter knows it.
        public var name: String?
        /// 住所, or a landmark when the address is not known (「○○付近」).
        public var address: String?
        /// The area (大字・地区) the desk is chosen by; nil: the general centre.
        public var area: String?

        public init(name: String? = nil, address: String? = nil, area: String? = nil) {
            self.name = name
            self.address = address
            self.area = area
        }
    }

    /// 情報提供者: shown to the desk only (seed 4), never to the subject or the family.
    public struct Reporter: Sendable, Hashable, Codable {
        /// 協力団体名.
        public var organization: String
        /// 情報提供者氏名.
        public var name: String?
        /// 電話番号: how the desk calls back.
        public var phone: String
        /// Where the result goes in writing; with neither, the desk calls back.
        public var email: String?
        public var fax: String?

        public init(organization: String, name: String? = nil, phone: String, email: String? = nil, fax: String? = nil) {
            self.organization = organization
            self.name = name
            self.phone = phone
            self.email = email
            self.fax = fax
        }
    }

    public init(
        messageID: UUID, reportID: CaseID, sequence: Int, kind: Kind, issuedAt: Date, municipality: String, drill: Bool = false,
        subject: Subject? = nil, observation: String? = nil, urgent: Bool = false, consent: Bool = false,
        reporter: Reporter? = nil, result: String? = nil
    ) {
        self.messageID = messageID
        self.reportID = reportID
        self.sequence = sequence
        self.kind = kind
        self.issuedAt = issuedAt
        self.municipality = municipality
        self.drill = drill
        self.subject = subject
        self.observation = observation
        self.urgent = urgent
        self.consent = consent
        self.reporter = reporter
        self.result = result
    }
}

extension ConcernEvent {
    /// Decodes and validates the exact message body. Unknown fields are ignored, as for cases.
    public static func decode(_ body: some Collection<UInt8>, limits: CaseEvent.Limits = .default) throws(CaseEventError)
        -> ConcernEvent
    {
        try decode(try EventEnvelope.open(body, limits: limits), limits: limits)
    }

    /// The `mimamori.concern/1` decoder of an opened message.
    public static func decode(_ envelope: EventEnvelope, limits: CaseEvent.Limits = .default) throws(CaseEventError)
        -> ConcernEvent
    {
        guard envelope.schema == .concern else { throw .unknownSchema }
        return try FieldReader(object: envelope.object, path: "", limits: limits).concernEvent()
    }

    /// The longest observation or result: a few sentences, one FAX table cell.
    public static let maxNarrative = 400
}

extension FieldReader {
    func concernEvent() throws(CaseEventError) -> ConcernEvent {
        let messageText = try required("messageId") { k throws(CaseEventError) in try string(k, max: 36) }
        guard let messageID = UUID(uuidString: messageText) else { throw .invalid(field: "messageId") }
        let reportText = try required("reportId") { k throws(CaseEventError) in try string(k, max: 64) }
        guard CaseID.isValid(reportText) else { throw .invalid(field: "reportId") }
        let sequence = try required("sequence") { k throws(CaseEventError) in try int(k, in: 1...(1 << 53)) }
        let kind = try required("kind") { k throws(CaseEventError) in try enumeration(k, ConcernEvent.Kind.self) }
        let issuedAt = try required("issuedAt") { k throws(CaseEventError) in try time(k) }
        let municipality = try municipality()
        let drill = try bool("drill") ?? false

        let subject = try object("subject").map { r throws(CaseEventError) in
            ConcernEvent.Subject(
                name: try r.string("name", max: limits.maxShortText),
                address: try r.string("address", max: limits.maxLongText),
                area: try r.string("area", max: limits.maxShortText))
        }
        let observation = try string("observation", max: ConcernEvent.maxNarrative)
        let urgent = try bool("urgent")
        let consent = try bool("consent")
        let reporter = try object("reporter").map { r throws(CaseEventError) in try r.reporter() }
        let result = try string("result", max: ConcernEvent.maxNarrative)

        switch kind {
        case .reported:
            if subject == nil { throw .missing(field: "subject") }
            if observation == nil { throw .missing(field: "observation") }
            if urgent == nil { throw .missing(field: "urgent") }
            if consent == nil { throw .missing(field: "consent") }
            if reporter == nil { throw .missing(field: "reporter") }
            if result != nil { throw .unexpected(field: "result") }
        case .resolved:
            if result == nil { throw .missing(field: "result") }
        }
        return ConcernEvent(
            messageID: messageID, reportID: CaseID(reportText), sequence: sequence, kind: kind, issuedAt: issuedAt,
            municipality: municipality, drill: drill, subject: subject, observation: observation, urgent: urgent ?? false,
            consent: consent ?? false, reporter: reporter, result: result)
    }

    /// It becomes part of an AMQP routing key and a queue name (design 3.2).
    func municipality() throws(CaseEventError) -> String {
        let municipality = try required("municipality") { k throws(CaseEventError) in try string(k, max: 64) }
        guard municipality.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        else { throw .invalid(field: "municipality") }
        return municipality
    }

    func phone(_ key: String) throws(CaseEventError) -> String? {
        guard let phone = try string(key, max: limits.maxPhoneLength) else { return nil }
        guard phone.unicodeScalars.allSatisfy({ "0123456789+-() ０１２３４５６７８９－（）".unicodeScalars.contains($0) })
        else { throw .invalid(field: at(key)) }
        return phone
    }

    func reporter() throws(CaseEventError) -> ConcernEvent.Reporter {
        let email = try string("email", max: 254)
        if let email, Addresses.normalisedEmail(email) == nil { throw .invalid(field: at("email")) }
        let fax = try string("fax", max: limits.maxPhoneLength)
        if let fax, Addresses.normalisedFaxNumber(fax) == nil { throw .invalid(field: at("fax")) }
        return ConcernEvent.Reporter(
            organization: try required("organization") { k throws(CaseEventError) in try string(k, max: limits.maxShortText) },
            name: try string("name", max: limits.maxShortText),
            phone: try required("phone") { k throws(CaseEventError) in try phone(k) },
            email: email, fax: fax)
    }
}

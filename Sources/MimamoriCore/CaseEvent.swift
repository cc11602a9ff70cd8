import Foundation

/// One message of schema `mimamori.case/1` (design 3.1), as the police-linked publisher sends it.
///
/// Every event carries the full current state of the case (not a diff), which is what lets
/// `CaseState` accept a newer event after a gap in sequence numbers.
/// Build one with `CaseEvent.decode(_:)`, which validates every field.
public struct CaseEvent: Sendable, Hashable, Codable {
    public static let schema = EventSchema.case.rawValue

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case opened
        case updated
        case closed
    }

    public var messageID: UUID
    public var caseID: CaseID
    public var sequence: Int
    public var kind: Kind
    public var issuedAt: Date
    public var municipality: String
    public var drill: Bool
    /// Required for `opened`/`updated`; a `closed` event may leave it out.
    public var person: Person?
    public var clothing: [String]
    public var belongings: [String]
    /// Required for `opened`/`updated`.
    public var lastSeen: LastSeen?
    public var photo: Photo?
    /// Set by the intake's `PhotoCheck` when the event carried a photo that no notice may use
    /// (`photo` is then nil): the notices say it was left out.
    public var photoLeftOut: PhotoCheck.Problem? = nil
    /// Set by the intake when `person.registrationId` names a registration (`filled(from:)`):
    /// what the registration added. Never on the wire, never in the ledger's stored event.
    public var registryAdditions: RegistryAdditions? = nil
    /// Required for `opened`/`updated`; a `closed` event needs none (closure is planned from
    /// what was actually sent, not from consent).
    public var consent: Consent
    /// Where sightings go (the police desk). Required for `opened`/`updated`.
    public var contact: Contact?
    /// Present exactly when `kind == .closed`.
    public var closure: Closure?

    public struct Person: Sendable, Hashable, Codable {
        public enum Sex: String, Sendable, Hashable, Codable, CaseIterable {
            case male, female, other, unknown
        }
        public var name: String
        public var nameKana: String
        public var sex: Sex
        public var age: Int
        public var heightCm: Int?
        public var build: String?
        public var hair: String?
        public var features: [String]
        /// An area (大字・地区), never a full address.
        public var residenceArea: String?
        public var registrationID: String?

        public init(
            name: String, nameKana: String, sex: Sex = .unknown, age: Int, heightCm: Int? = nil,
            build: String? = nil, hair: String? = nil, features: [String] = [],
            residenceArea: String? = nil, registrationID: String? = nil
        ) {
            self.name = name
            self.nameKana = nameKana
            self.sex = sex
            self.age = age
            self.heightCm = heightCm
            self.build = build
            self.hair = hair
            self.features = features
            self.residenceArea = residenceArea
            self.registrationID = registrationID
        }
    }

    public struct LastSeen: Sendable, Hashable, Codable {
        public var at: Date
        public var place: String
        public var direction: String?
        /// An addition to design 3.1 (optional, ignored by older readers): the area of `place`,
        /// matched against the cooperators' areas.
        public var area: String?

        public init(at: Date, place: String, direction: String? = nil, area: String? = nil) {
            self.at = at
            self.place = place
            self.direction = direction
            self.area = area
        }
    }

    public struct Photo: Sendable, Hashable, Codable {
        public enum MediaType: String, Sendable, Hashable, Codable, CaseIterable {
            case jpeg = "image/jpeg"
            case png = "image/png"
        }
        public var mediaType: MediaType
        /// The decoded image bytes.
        public var data: Data

        public init(mediaType: MediaType, data: Data) {
            self.mediaType = mediaType
            self.data = data
        }
    }

    public struct Consent: Sendable, Hashable, Codable {
        /// The family's consent to tell cooperators at all (様式第3号). False: nobody is told.
        public var cooperators: Bool
        /// Article 9-2: the disaster radio only if the family wishes.
        public var radio: Bool
        public var photo: Bool
        public var partnerTowns: Bool

        public init(cooperators: Bool, radio: Bool = false, photo: Bool = false, partnerTowns: Bool = false) {
            self.cooperators = cooperators
            self.radio = radio
            self.photo = photo
            self.partnerTowns = partnerTowns
        }

        /// No consent to anything (also what a `closed` event without `consent` carries).
        public static let withheld = Consent(cooperators: false)
    }

    public struct Contact: Sendable, Hashable, Codable {
        public var organization: String
        public var phone: String

        public init(organization: String, phone: String) {
            self.organization = organization
            self.phone = phone
        }
    }

    public struct Closure: Sendable, Hashable, Codable {
        public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
            case found
            case withdrawn
        }
        public var at: Date
        /// Kept for the audit only: notices never state it (design 3.1).
        public var reason: Reason
        public var shelter: Shelter?

        public init(at: Date, reason: Reason, shelter: Shelter? = nil) {
            self.at = at
            self.reason = reason
            self.shelter = shelter
        }
    }

    /// A 緊急一時保護 at a care facility: 2 days, 7 at most (緊急一時保護の取り扱い 第5条).
    public struct Shelter: Sendable, Hashable, Codable {
        public var facilityID: String
        public var expectedDays: Int

        public init(facilityID: String, expectedDays: Int) {
            self.facilityID = facilityID
            self.expectedDays = expectedDays
        }
    }

    public init(
        messageID: UUID, caseID: CaseID, sequence: Int, kind: Kind, issuedAt: Date, municipality: String,
        drill: Bool = false, person: Person?, clothing: [String] = [], belongings: [String] = [],
        lastSeen: LastSeen?, photo: Photo? = nil, consent: Consent, contact: Contact?, closure: Closure? = nil
    ) {
        self.messageID = messageID
        self.caseID = caseID
        self.sequence = sequence
        self.kind = kind
        self.issuedAt = issuedAt
        self.municipality = municipality
        self.drill = drill
        self.person = person
        self.clothing = clothing
        self.belongings = belongings
        self.lastSeen = lastSeen
        self.photo = photo
        self.consent = consent
        self.contact = contact
        self.closure = closure
    }
}

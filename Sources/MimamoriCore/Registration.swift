import Foundation

/// A registration's reference (台帳番号), `[A-Za-z0-9-]{1,32}`: what the police side puts in
/// `person.registrationId` and what staff say on the phone. Safe to log: it names a row of the
/// registry, never a person.
public struct RegistrationID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: RegistrationID, b: RegistrationID) -> Bool { a.rawValue < b.rawValue }

    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 32
            && text.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
            }
    }
}

/// A person registered in advance by the family (紀美野にこにこネットワーク登録届, 要綱 第6条,
/// 様式第1号): what helps find the person (description, photo, frequented places), what helps
/// whoever approaches (care notes), and whom to call (family contacts).
///
/// The most sensitive data Mimamori holds: only `RegistryVault` turns it into bytes, sealed
/// under the registration's own key; no field is ever logged. Only `id` and the two dates are
/// kept in the clear, so that reconfirmation can be scheduled without opening a registration.
public struct Registration: Sendable, Hashable, Codable {
    public var id: RegistrationID
    public var person: Person
    /// 住所: for the shelter request and the police sheet only, never a cooperator's notice.
    public var address: String?
    /// The person's own phone (the form's 電話), for the shelter request and the police sheet.
    public var phone: String?
    public var photo: Photo?
    /// よく行く場所: on the email and the FAX of an alert, never on the radio.
    public var frequentedPlaces: [Place]
    /// 介護の情報 for whoever approaches the person (hearing, walking aid, what calms them):
    /// the police sheet and the shelter request only.
    public var careNotes: [String]
    /// 要介護度 as the family wrote it (要介護2, 要支援1), for the shelter request.
    public var careLevel: String?
    /// 家族の連絡先: the police sheet and the shelter request only; never in any notice.
    public var familyContacts: [Contact]
    /// 届出者: the family member who registered (the reconfirmation call goes to them).
    public var registrant: Contact
    /// 登録日.
    public var registeredOn: LocalDate
    /// The day the family last confirmed the registration (登録日 at first; 要綱 第6条第6項).
    public var confirmedOn: LocalDate

    public struct Person: Sendable, Hashable, Codable {
        public var name: String
        public var nameKana: String
        public var sex: CaseEvent.Person.Sex
        public var dateOfBirth: LocalDate
        public var heightCm: Int?
        public var build: String?
        public var hair: String?
        public var features: [String]
        /// An area of the town (大字・地区), as on a case event.
        public var residenceArea: String?

        public init(
            name: String, nameKana: String, sex: CaseEvent.Person.Sex, dateOfBirth: LocalDate, heightCm: Int? = nil,
            build: String? = nil, hair: String? = nil, features: [String] = [], residenceArea: String? = nil
        ) {
            self.name = name
            self.nameKana = nameKana
            self.sex = sex
            self.dateOfBirth = dateOfBirth
            self.heightCm = heightCm
            self.build = build
            self.hair = hair
            self.features = features
            self.residenceArea = residenceArea
        }

        /// Full years on `day` (a birthday on 2/29 counts on 2/28 in a common year, as 年齢計算ニ関スル法律
        /// and 民法第143条 count it).
        public func age(on day: LocalDate) -> Int {
            var years = day.year - dateOfBirth.year
            let birthday = LocalDate.anniversary(of: dateOfBirth, in: day.year)
            if day < birthday { years -= 1 }
            return max(0, years)
        }
    }

    /// The photo the family gave, and whether they agreed that notices may carry it. Without that
    /// consent it is kept for the police sheet only.
    public struct Photo: Sendable, Hashable, Codable {
        public var mediaType: CaseEvent.Photo.MediaType
        public var data: Data
        public var consentForNotices: Bool

        public init(mediaType: CaseEvent.Photo.MediaType, data: Data, consentForNotices: Bool) {
            self.mediaType = mediaType
            self.data = data
            self.consentForNotices = consentForNotices
        }
    }

    /// よく行く場所: a place, and the area it is in (matched against the cooperators' areas).
    public struct Place: Sendable, Hashable, Codable {
        public var name: String
        public var area: String?

        public init(name: String, area: String? = nil) {
            self.name = name
            self.area = area
        }
    }

    public struct Contact: Sendable, Hashable, Codable {
        public var name: String
        /// 続柄 (長女, 夫).
        public var relation: String?
        public var phone: String

        public init(name: String, relation: String? = nil, phone: String) {
            self.name = name
            self.relation = relation
            self.phone = phone
        }
    }

    public init(
        id: RegistrationID, person: Person, address: String? = nil, phone: String? = nil, photo: Photo? = nil,
        frequentedPlaces: [Place] = [], careNotes: [String] = [], careLevel: String? = nil, familyContacts: [Contact] = [],
        registrant: Contact, registeredOn: LocalDate, confirmedOn: LocalDate? = nil
    ) {
        self.id = id
        self.person = person
        self.address = address
        self.phone = phone
        self.photo = photo
        self.frequentedPlaces = frequentedPlaces
        self.careNotes = careNotes
        self.careLevel = careLevel
        self.familyContacts = familyContacts
        self.registrant = registrant
        self.registeredOn = registeredOn
        self.confirmedOn = confirmedOn ?? registeredOn
    }
}

extension LocalDate {
    /// The same month and day in `year`; 2/29 becomes 2/28 in a common year (a one-year period
    /// ends on the last day of the month when the day does not exist: 民法第143条第2項).
    public static func anniversary(of date: LocalDate, in year: Int) -> LocalDate {
        if date.month == 2, date.day == 29, !isLeapYear(year) { return LocalDate(year, 2, 28) }
        return LocalDate(year, date.month, date.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
}

extension Registration {
    /// Why a registration ends (様式第2号, 要綱 第6条第5項). `lapsed` is the daemon's: not
    /// reconfirmed within `registry.grace` after its due date.
    public enum RemovalReason: String, Sendable, Hashable, Codable, CaseIterable {
        /// この事業の利用を辞退するため.
        case withdrawn
        /// 利用者が死亡した場合 (第6条第5項).
        case deceased
        /// 対象者の要件に該当しなくなったため.
        case ineligible
        case lapsed
    }
}

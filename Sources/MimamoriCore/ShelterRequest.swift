import Foundation

/// What the request (第1号様式, 緊急一時保護依頼書) says about the person: not a cooperator's
/// notice but a request to a care provider who must look after them, so it carries what the
/// form asks for (対象者: ふりがな, 氏名, 生年月日, 電話, 住所; 連絡先) and what helps the care
/// (要介護度, care notes), and whom the person came from (保護した機関).
///
/// Personal data: kept with the stay only until the case is purged; never logged.
public struct ShelterRequest: Sendable, Hashable, Codable {
    public var name: String?
    public var nameKana: String?
    public var sex: CaseEvent.Person.Sex
    /// The age as the police side gave it; with a date of birth the form prints the age from it.
    public var age: Int?
    public var dateOfBirth: LocalDate?
    public var phone: String?
    public var address: String?
    /// 連絡先: the family, from a registration (or the staff's file).
    public var contacts: [Registration.Contact]
    /// 保護した機関 (警察署等, 第2条).
    public var protectedBy: String?
    public var careLevel: String?
    public var careNotes: [String]

    public init(
        name: String?, nameKana: String? = nil, sex: CaseEvent.Person.Sex = .unknown, age: Int? = nil, dateOfBirth: LocalDate? = nil,
        phone: String? = nil, address: String? = nil, contacts: [Registration.Contact] = [], protectedBy: String? = nil,
        careLevel: String? = nil, careNotes: [String] = []
    ) {
        self.name = name
        self.nameKana = nameKana
        self.sex = sex
        self.age = age
        self.dateOfBirth = dateOfBirth
        self.phone = phone
        self.address = address
        self.contacts = contacts
        self.protectedBy = protectedBy
        self.careLevel = careLevel
        self.careNotes = careNotes
    }

    /// A case's request: the person as the case's latest description names them (the event's
    /// own fields win, as in an alert), filled from the registration the case names with what
    /// only the family gave (date of birth, address, phone, family contacts, 要介護度, care notes),
    /// and the body that protected the person from the closure.
    public init(person: CaseEvent.Person?, shelter: CaseEvent.Shelter, registration: Registration?) {
        let registered = registration?.person
        self.init(
            name: person?.name ?? registered?.name, nameKana: person?.nameKana ?? registered?.nameKana,
            sex: person.map(\.sex).flatMap { $0 == .unknown ? nil : $0 } ?? registered?.sex ?? .unknown, age: person?.age,
            dateOfBirth: registered?.dateOfBirth, phone: registration?.phone, address: registration?.address,
            contacts: registration?.familyContacts ?? [], protectedBy: shelter.protectedBy, careLevel: registration?.careLevel,
            careNotes: registration?.careNotes ?? [])
    }

    /// The age on the first day of the stay: from the date of birth when known, else as given.
    public func age(on day: LocalDate) -> Int? {
        if let dateOfBirth {
            let person = Registration.Person(name: "", nameKana: "", sex: sex, dateOfBirth: dateOfBirth)
            return person.age(on: day)
        }
        return age
    }
}

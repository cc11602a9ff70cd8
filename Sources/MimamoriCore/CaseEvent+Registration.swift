import Foundation

extension CaseEvent {
    /// What a family's advance registration (要綱 第6条, 様式第1号) added to an event that names
    /// it. Not a field of the wire format: the intake sets it through `filled(from:)`, and the
    /// planner and the notices read it. The ledger keeps the police's own event, never this.
    public struct RegistryAdditions: Sendable, Hashable, Codable {
        /// A field of the event the registration filled because the event left it out.
        public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
            case heightCm, build, hair, features, residenceArea, photo
        }

        public var registrationID: RegistrationID
        /// In the order of `Field.allCases`.
        public var filled: [Field]
        /// よく行く場所: printed in the email and on the FAX, never said on the radio; their areas
        /// are where to look, so they add to the case's areas.
        public var frequentedPlaces: [Registration.Place]

        public init(registrationID: RegistrationID, filled: [Field] = [], frequentedPlaces: [Registration.Place] = []) {
            self.registrationID = registrationID
            self.filled = filled
            self.frequentedPlaces = frequentedPlaces
        }
    }

    /// The event completed from the registration it names (`person.registrationId`), for the
    /// information the town gives its cooperators (第9条): what the event leaves out of the
    /// description (height, build, hair, features when it has none, the residence area) is
    /// taken from the registration, and the frequented places are carried along. The event's
    /// own fields always win: the police describe the person as they are today.
    ///
    /// The photo is taken only when the event has none to use (none sent, or one the intake left
    /// out), the family agreed to a photo for this case (`consent.photo`), they agreed when
    /// registering that notices may carry it, and it passes `PhotoCheck`; it then replaces the
    /// left-out note, since the notices do carry a photo.
    ///
    /// The family contacts, the registrant, the care notes and level, the address, the phone
    /// and the date of birth go into no notice: they are never copied into the event.
    ///
    /// A registration that is not the one the event names changes nothing, and an event is
    /// filled once (a second time would take what the first filled for the event's own).
    public func filled(from registration: Registration) -> CaseEvent {
        guard registryAdditions == nil, var person, person.registrationID == registration.id.rawValue else { return self }
        var event = self
        var additions = RegistryAdditions(registrationID: registration.id)
        let registered = registration.person
        if person.heightCm == nil, let height = registered.heightCm {
            person.heightCm = height
            additions.filled.append(.heightCm)
        }
        if Self.isBlank(person.build), let build = registered.build, !Self.isBlank(build) {
            person.build = build
            additions.filled.append(.build)
        }
        if Self.isBlank(person.hair), let hair = registered.hair, !Self.isBlank(hair) {
            person.hair = hair
            additions.filled.append(.hair)
        }
        let features = registered.features.filter { !Self.isBlank($0) }
        if person.features.allSatisfy({ Self.isBlank($0) }), !features.isEmpty {
            person.features = features
            additions.filled.append(.features)
        }
        if Self.isBlank(person.residenceArea), let area = registered.residenceArea, !Self.isBlank(area) {
            person.residenceArea = area
            additions.filled.append(.residenceArea)
        }
        if event.photo == nil, event.consent.photo, let photo = registration.photo, photo.consentForNotices {
            let candidate = CaseEvent.Photo(mediaType: photo.mediaType, data: photo.data)
            if case .success = PhotoCheck.check(candidate) {
                event.photo = candidate
                event.photoLeftOut = nil
                additions.filled.append(.photo)
            }
        }
        additions.frequentedPlaces = registration.frequentedPlaces.compactMap { place in
            guard !Self.isBlank(place.name) else { return nil }
            return Registration.Place(name: place.name, area: Self.isBlank(place.area) ? nil : place.area)
        }
        event.person = person
        event.registryAdditions = additions
        return event
    }

    static func isBlank(_ text: String?) -> Bool { text?.trimmingCharacters(in: .whitespaces).isEmpty ?? true }
}

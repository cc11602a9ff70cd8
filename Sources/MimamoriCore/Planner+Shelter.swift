import Foundation

/// One delivery of a stay's notice, with the address it goes to: the facility is no row of the
/// cooperators' directory, nor is the staff.
public struct ShelterDelivery: Sendable, Hashable {
    public var planned: PlannedDelivery
    public var address: String

    public init(planned: PlannedDelivery, address: String) {
        self.planned = planned
        self.address = address
    }
}

/// What one step of a stay writes: the stay as it is now, the request's fields it was made
/// from, and the notices and deliveries (none while the request is held).
public struct ShelterPlan: Sendable, Hashable {
    public var stay: ShelterStay
    public var request: ShelterRequest
    public var deliveries: [ShelterDelivery]
    public var notices: [RenderedNotice]

    public init(stay: ShelterStay, request: ShelterRequest, deliveries: [ShelterDelivery] = [], notices: [RenderedNotice] = []) {
        self.stay = stay
        self.request = request
        self.deliveries = deliveries
        self.notices = notices
    }

    /// How many staff addresses get the copy.
    public var staffCopies: Int { deliveries.filter { $0.planned.channel == .email }.count }
}

extension Planner {
    /// A closure's `shelter` (緊急一時保護): the stay starts on the day the person was protected
    /// (`closure.at`, the town's clock) for the expected days. The request goes at once unless
    /// `ShelterStay.holdReason` says it must wait (no approval for more than 2 days, an unknown
    /// facility, no `shelter:` settings): then the stay is held and the staff are alarmed. The
    /// facility is never a holder of the case's alert: the termination and the case's destruction
    /// reminder are planned from the delivery history alone.
    public func shelterOnClosure(
        caseID: CaseID, revision: Int, drill: Bool, closure: CaseEvent.Closure, shelter: CaseEvent.Shelter, request: ShelterRequest,
        now: Date
    ) -> ShelterPlan {
        let hold = ShelterStay.holdReason(
            facilityID: shelter.facilityID, days: shelter.expectedDays, approvedBy: shelter.approvedBy,
            settings: configuration.shelter)
        let stay = ShelterStay(
            caseID: caseID, facilityID: shelter.facilityID, startsOn: JapaneseCalendar.localDate(of: closure.at),
            days: shelter.expectedDays, approvedBy: shelter.approvedBy, state: hold == nil ? .sent : .held, holdReason: hold,
            revision: revision, drill: drill)
        guard hold == nil else { return ShelterPlan(stay: stay, request: request) }
        return shelterRequest(stay, request: request, now: now)
    }

    /// The request of a stay that may go (`sent`): by FAX to the facility (`shelter-<id>`) and
    /// a copy by email to every staff address (`staff`, `staff-2`, …), now. A stay whose facility
    /// the settings no longer list gets nothing: the callers check with `ShelterStay.sent`.
    public func shelterRequest(_ stay: ShelterStay, request: ShelterRequest, now: Date) -> ShelterPlan {
        guard let facility = configuration.shelter?.facility(stay.facilityID) else { return ShelterPlan(stay: stay, request: request) }
        let notice = renderer.shelterRequest(request, stay: stay, facility: facility, sentAt: now)
        var deliveries = [
            ShelterDelivery(
                planned: PlannedDelivery(
                    caseID: stay.caseID, revision: stay.revision, recipient: ShelterStay.facilityRecipient(facility.id), channel: .fax,
                    kind: .shelterRequest, notBefore: now),
                // The outlets take the normal form, as the directory hands its numbers over.
                address: Addresses.normalisedFaxNumber(facility.fax) ?? facility.fax)
        ]
        for (index, email) in configuration.staff.emails.enumerated() {
            deliveries.append(
                ShelterDelivery(
                    planned: PlannedDelivery(
                        caseID: stay.caseID, revision: stay.revision, recipient: ShelterStay.staffRecipient(index: index),
                        channel: .email, kind: .shelterRequest, notBefore: now),
                    address: Addresses.normalisedEmail(email) ?? email))
        }
        return ShelterPlan(stay: stay, request: request, deliveries: deliveries, notices: [notice])
    }

    /// `mimamori shelter send`: a held request goes, as the staff decided (another facility,
    /// the approval).
    public func shelterSend(
        _ stay: ShelterStay, request: ShelterRequest, facilityID: String?, approvedBy: String?, now: Date
    ) throws(ShelterError) -> ShelterPlan {
        let next = try stay.sent(facilityID: facilityID, approvedBy: approvedBy, settings: configuration.shelter)
        return shelterRequest(next, request: request, now: now)
    }

    /// `mimamori shelter extend`: the amended request (「（変更）」, the new period) to the facility
    /// and the staff.
    public func shelterExtend(
        _ stay: ShelterStay, request: ShelterRequest, by days: Int, approvedBy: String?, now: Date
    ) throws(ShelterError) -> ShelterPlan {
        let next = try stay.extended(by: days, approvedBy: approvedBy)
        guard let settings = configuration.shelter else { throw .notConfigured }
        guard settings.facility(next.facilityID) != nil else {
            throw .unknownFacility(next.facilityID, known: settings.facilities.map(\.id))
        }
        return shelterRequest(next, request: request, now: now)
    }

    /// `mimamori shelter end`: the facility's own reminder to destroy the request, the next
    /// morning (`reminders:` as for the cooperators), when a request went to it; a held stay
    /// ends with nothing sent. The facility gets no termination: it was never sent the alert.
    public func shelterEnd(_ stay: ShelterStay, request: ShelterRequest, now: Date) throws(ShelterError) -> ShelterPlan {
        let sentBefore = stay.state == .sent
        let next = try stay.ended(at: now)
        guard sentBefore, let facility = configuration.shelter?.facility(stay.facilityID) else {
            return ShelterPlan(stay: next, request: request)
        }
        let at = JapaneseCalendar.nextMorning(
            after: now, at: configuration.reminders.destructionAt, businessDaysOnly: configuration.reminders.businessDaysOnly)
        let notice = renderer.shelterDestruction(stay: next, facility: facility, sentAt: at)
        let delivery = ShelterDelivery(
            planned: PlannedDelivery(
                caseID: stay.caseID, revision: stay.revision, recipient: ShelterStay.facilityRecipient(facility.id), channel: .fax,
                kind: .shelterDestruction, notBefore: at),
            address: Addresses.normalisedFaxNumber(facility.fax) ?? facility.fax)
        return ShelterPlan(stay: next, request: request, deliveries: [delivery], notices: [notice])
    }
}

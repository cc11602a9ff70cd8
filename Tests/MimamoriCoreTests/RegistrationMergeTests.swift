import Foundation
import Testing

@testable import MimamoriCore

/// A registration merged into an alert (`CaseEvent.filled(from:)`): the event wins, the photo
/// needs both consents, frequented places are carried for the email and the FAX and widen who
/// is asked, and nothing the family gave for the police or a care home reaches any notice.
@Suite("Registration merge")
struct RegistrationMergeTests {
    /// A PNG other than the event's (2×1), so a test can tell whose photo a notice carries.
    static let registeredPNG = Data(
        base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==")!

    /// Every private field filled with a word found nowhere else, to look for in the notices.
    static func registration(
        id: String = "R2026-0001", heightCm: Int? = 148, build: String? = "小柄", hair: String? = "白髪の短髪",
        features: [String] = ["左の頬にほくろ", "少し前かがみで歩く"], residenceArea: String? = "動木",
        photo: Registration.Photo? = .init(mediaType: .png, data: registeredPNG, consentForNotices: true),
        places: [Registration.Place] = [
            .init(name: "道の駅 美里の郷", area: "美里"), .init(name: "JA野上支店", area: "野中"), .init(name: "生家のあった神社"),
        ]
    ) -> Registration {
        Registration(
            id: RegistrationID(id),
            person: .init(
                name: "紀美野 花子", nameKana: "きみの はなこ", sex: .female, dateOfBirth: LocalDate(1944, 2, 29), heightCm: heightCm,
                build: build, hair: hair, features: features, residenceArea: residenceArea),
            address: "紀美野町動木９９９番地", phone: "073-489-7777", photo: photo, frequentedPlaces: places,
            careNotes: ["右耳が遠い", "演歌を聞くと落ち着く"], careLevel: "要介護２",
            familyContacts: [.init(name: "紀美野 一郎", relation: "長男", phone: "090-1111-2222")],
            registrant: .init(name: "紀美野 幸子", relation: "長女", phone: "080-3333-4444"), registeredOn: LocalDate(2026, 4, 1))
    }

    /// Words of the registration that no notice may hold: the family, the registrant, the care
    /// notes and level, the address, the phone, the date of birth.
    static let neverInANotice = [
        "紀美野 一郎", "090-1111-2222", "紀美野 幸子", "080-3333-4444", "長男", "長女", "右耳が遠い", "演歌", "要介護", "動木９９９",
        "073-489-7777", "1944", "昭和19", "2月29日",
    ]

    /// The sample event naming the registration, with the description fields the test leaves out.
    static func event(
        naming id: String? = "R2026-0001", without fields: Set<CaseEvent.RegistryAdditions.Field> = [], consentPhoto: Bool = true
    ) throws -> CaseEvent {
        var event = try Sample.opened()
        event.person?.registrationID = id
        event.consent.photo = consentPhoto
        if fields.contains(.heightCm) { event.person?.heightCm = nil }
        if fields.contains(.build) { event.person?.build = nil }
        if fields.contains(.hair) { event.person?.hair = nil }
        if fields.contains(.features) { event.person?.features = [] }
        if fields.contains(.residenceArea) { event.person?.residenceArea = nil }
        if fields.contains(.photo) { event.photo = nil }
        return event
    }

    // MARK: the event wins

    @Test func anEventThatLeavesNothingOutKeepsEveryFieldOfItsOwn() throws {
        let event = try Self.event()
        let filled = event.filled(from: Self.registration())
        #expect(filled.person == event.person)
        #expect(filled.photo == event.photo)
        #expect(filled.registryAdditions?.filled == [])
        #expect(filled.registryAdditions?.registrationID == RegistrationID("R2026-0001"))
        #expect(filled.registryAdditions?.frequentedPlaces.count == 3)
        // The required fields are the event's: the police's age on the day, never the date of birth's.
        #expect(filled.person?.age == 82 && filled.person?.name == event.person?.name)
    }

    /// Every subset of the fillable description fields: exactly the ones left out are filled,
    /// with the registration's values; the others stay the event's.
    @Test(arguments: 0..<(1 << 5))
    func exactlyWhatTheEventLeavesOutIsFilled(mask: Int) throws {
        let fields: [CaseEvent.RegistryAdditions.Field] = [.heightCm, .build, .hair, .features, .residenceArea]
        let left = Set(fields.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
        let event = try Self.event(without: left)
        let registration = Self.registration()
        let filled = event.filled(from: registration)
        let person = try #require(filled.person)
        let own = try #require(event.person)
        let registered = registration.person
        #expect(person.heightCm == (left.contains(.heightCm) ? registered.heightCm : own.heightCm))
        #expect(person.build == (left.contains(.build) ? registered.build : own.build))
        #expect(person.hair == (left.contains(.hair) ? registered.hair : own.hair))
        #expect(person.features == (left.contains(.features) ? registered.features : own.features))
        #expect(person.residenceArea == (left.contains(.residenceArea) ? registered.residenceArea : own.residenceArea))
        #expect(filled.registryAdditions?.filled == fields.filter(left.contains))
        #expect(person.name == own.name && person.nameKana == own.nameKana && person.sex == own.sex && person.age == own.age)
        #expect(filled.clothing == event.clothing && filled.lastSeen == event.lastSeen && filled.contact == event.contact)
        #expect(filled.consent == event.consent)
    }

    @Test func aRegistrationWithoutAFieldFillsNothingThere() throws {
        let event = try Self.event(without: [.heightCm, .build, .hair, .features, .residenceArea])
        let filled = event.filled(from: Self.registration(heightCm: nil, build: " ", hair: nil, features: ["", " "], residenceArea: ""))
        #expect(filled.person == event.person)
        #expect(filled.registryAdditions?.filled == [])
    }

    @Test func blankTextOfTheEventCountsAsLeftOut() throws {
        var event = try Self.event()
        event.person?.build = " "
        event.person?.features = [""]
        let filled = event.filled(from: Self.registration())
        #expect(filled.person?.build == "小柄")
        #expect(filled.person?.features == ["左の頬にほくろ", "少し前かがみで歩く"])
        #expect(filled.registryAdditions?.filled == [.build, .features])
    }

    @Test func onlyTheRegistrationTheEventNamesFillsIt() throws {
        let registration = Self.registration()
        for id in [nil, "R2026-0002", "r2026-0001"] as [String?] {
            let event = try Self.event(naming: id, without: [.heightCm, .photo])
            #expect(event.filled(from: registration) == event)
        }
        var closed = try Sample.closed()
        closed.person = nil
        #expect(closed.filled(from: registration) == closed)
    }

    @Test func anEventIsFilledOnce() throws {
        let once = try Self.event(without: [.residenceArea, .hair]).filled(from: Self.registration())
        #expect(once.filled(from: Self.registration()) == once)
        #expect(once.registryAdditions?.filled == [.hair, .residenceArea])
    }

    // MARK: the photo

    /// Every combination: the registry's photo only when the event has none to use, the family
    /// consented for this case, they consented for notices when registering, and it is a photo.
    @Test(arguments: 0..<(1 << 5))
    func thePhotoNeedsBothConsentsAndAnEventWithout(mask: Int) throws {
        let eventHasPhoto = mask & 1 != 0
        let consentPhoto = mask & 2 != 0
        let registered = mask & 4 != 0
        let consentForNotices = mask & 8 != 0
        let readable = mask & 16 != 0
        let data = readable ? Self.registeredPNG : Data("not a picture".utf8)
        let photo = registered ? Registration.Photo(mediaType: .png, data: data, consentForNotices: consentForNotices) : nil
        let event = try Self.event(without: eventHasPhoto ? [] : [.photo], consentPhoto: consentPhoto)
        let filled = event.filled(from: Self.registration(photo: photo))
        let taken = !eventHasPhoto && consentPhoto && registered && consentForNotices && readable
        #expect(filled.photo == (taken ? CaseEvent.Photo(mediaType: .png, data: Self.registeredPNG) : event.photo))
        #expect(filled.registryAdditions?.filled.contains(.photo) == taken)
        // And the planner attaches it under the same consent as the police's own.
        let attached = try Sample.planner().photoToAttach(for: filled)
        #expect(attached == (consentPhoto ? filled.photo : nil))
    }

    @Test func aPhotoTheIntakeLeftOutIsReplacedOnlyUnderBothConsents() throws {
        var event = try Self.event(without: [.photo])
        event.photoLeftOut = .wrongType
        let filled = event.filled(from: Self.registration())
        #expect(filled.photo?.data == Self.registeredPNG)
        // The notices carry a photo, so they must not say it was left out.
        #expect(filled.photoLeftOut == nil)
        let notice = try Sample.planner().alert(filled, now: Sample.now).notices[0]
        #expect(notice.email.body.contains("ご本人の写真を添付しています"))
        #expect(!notice.email.body.contains("不備"))

        let refused = event.filled(
            from: Self.registration(photo: .init(mediaType: .png, data: Self.registeredPNG, consentForNotices: false)))
        #expect(refused.photo == nil && refused.photoLeftOut == .wrongType)
        let still = try Sample.planner().alert(refused, now: Sample.now).notices[0]
        #expect(still.email.body.contains("データに不備があるため添付していません"))
    }

    // MARK: frequented places

    @Test func frequentedPlacesAreCarriedWithoutBlankOnes() throws {
        let places: [Registration.Place] = [.init(name: "道の駅 美里の郷", area: "美里"), .init(name: " "), .init(name: "神社", area: " ")]
        let filled = try Self.event().filled(from: Self.registration(places: places))
        #expect(filled.registryAdditions?.frequentedPlaces == [.init(name: "道の駅 美里の郷", area: "美里"), .init(name: "神社")])
    }

    @Test func aPlacesAreaWidensWhoIsAsked() throws {
        let planner = try Sample.planner()
        let event = try Self.event()
        let before = planner.reach(for: event)
        let after = planner.reach(for: event.filled(from: Self.registration()))
        func reason(_ reach: Reach, _ id: String) -> Reach.Reason? { reach.decisions.first { $0.recipient.rawValue == id }?.reason }
        // 下佐々 alone skips 野中's rows; the registered JA野上支店 is in 野中.
        #expect(reason(before, "fax-nonaka") == .skippedArea && reason(before, "mail-003") == .skippedArea)
        #expect(reason(after, "fax-nonaka") == .asked && reason(after, "mail-003") == .asked)
        #expect(reason(after, "fax-shimosasa") == .asked && reason(after, "fax-old") == .skippedInactive)
        #expect(reason(after, "fax-kainan") == .otherTown)
    }

    @Test func aPlaceOfAnAreaTheTreeDoesNotKnowAsksRatherThanSkips() throws {
        let planner = try Sample.planner()
        let filled = try Self.event().filled(from: Self.registration(places: [.init(name: "駅前の喫茶店", area: "海南市日方")]))
        let reach = planner.reach(for: filled)
        #expect(reach.unknownCaseAreas == ["海南市日方"])
        #expect(reach.decisions.allSatisfy { ![.skippedArea].contains($0.reason) })
    }

    @Test func anEventWithoutAreasOfItsOwnStillAsksEveryone() throws {
        let planner = try Sample.planner()
        var event = try Self.event(without: [.residenceArea])
        event.lastSeen?.area = nil
        let filled = event.filled(from: Self.registration())
        // The registration's residence area is shown, but does not narrow the case.
        #expect(filled.person?.residenceArea == "動木")
        #expect(planner.caseAreas(filled).isEmpty)
        #expect(planner.caseAreaTexts(filled).own.isEmpty && planner.caseAreaTexts(filled).registered.isEmpty)
        #expect(planner.reach(for: filled) == planner.reach(for: event))
        #expect(planner.reach(for: filled).count(.skippedArea) == 0)
    }

    @Test func aFilledResidenceAreaWidensACaseWithAnAreaOfItsOwn() throws {
        let planner = try Sample.planner()
        let event = try Self.event(without: [.residenceArea])
        let texts = planner.caseAreaTexts(event.filled(from: Self.registration(places: [])))
        #expect(texts.own == ["下佐々"])
        #expect(texts.registered == ["動木"])
        let together = planner.caseAreaTexts(event.filled(from: Self.registration()))
        #expect(together.registered == ["動木", "美里", "野中"])
    }

    /// For many registrations and events, whoever is asked without the registration is asked with
    /// it: a registration widens, it never narrows.
    @Test(arguments: 0..<(1 << 6))
    func aMergeNeverAsksFewer(mask: Int) throws {
        let planner = try Sample.planner()
        let areas: [String?] = [nil, "下佐々", "野中", "美里", "海南市日方", ""]
        var event = try Self.event(without: mask & 1 != 0 ? [.residenceArea] : [])
        event.lastSeen?.area = areas[(mask >> 1) % areas.count]
        let places = [areas[mask % areas.count], areas[(mask >> 2) % areas.count]].map { Registration.Place(name: "場所", area: $0) }
        let filled = event.filled(from: Self.registration(residenceArea: areas[(mask >> 3) % areas.count], places: places))
        let before = Set(planner.reach(for: event).decisions.filter(\.reason.isAsked).map(\.recipient))
        let after = Set(planner.reach(for: filled).decisions.filter(\.reason.isAsked).map(\.recipient))
        #expect(before.isSubset(of: after), "mask \(mask): \(before.subtracting(after)) no longer asked")
    }

    // MARK: the notices

    static func notices(_ event: CaseEvent) throws -> [RenderedNotice] {
        let planner = try Sample.planner()
        var updated = event
        updated.sequence = 2
        updated.kind = .updated
        let plan = planner.closure(
            caseID: event.caseID, revision: 3, drill: event.drill,
            history: DeliveryHistory(personalDataRecipients: [RecipientID("mail-001"): [.email]], radioAnnounced: true),
            documentsFrom: Sample.now, documentsTo: Sample.now, now: Sample.at("2026-11-27T19:15:00+09:00"))
        return [
            planner.renderer.description(.alert, event: event, photo: planner.photoToAttach(for: event), sentAt: Sample.now),
            planner.renderer.description(.update, event: updated, photo: planner.photoToAttach(for: updated), sentAt: Sample.now),
        ] + plan.notices
    }

    static func everyPart(_ notice: RenderedNotice) -> String {
        [
            notice.email.subject, notice.email.body, notice.fax.plainText, notice.fax.title, notice.fax.lead.joined(),
            notice.fax.rows.map { $0.label + $0.value }.joined(), notice.fax.paragraphs.joined(), notice.fax.callout ?? "",
            notice.radio?.text ?? "",
        ].joined(separator: "\n")
    }

    @Test(arguments: [false, true])
    func theEmailAndTheFAXListTheFrequentedPlaces(drill: Bool) throws {
        var event = try Self.event(without: [.features])
        event.drill = drill
        let notices = try Self.notices(event.filled(from: Self.registration()))
        let described = notices.filter(\.kind.carriesPersonalData)
        #expect(described.map(\.kind) == [.alert, .update])
        let row = "道の駅 美里の郷（美里）、JA野上支店（野中）、生家のあった神社"
        for notice in described {
            #expect(notice.email.body.contains("　よく行く場所　" + row + "\n"))
            #expect(notice.fax.rows.contains { $0.label == "よく行く場所" && $0.value == row })
            #expect(notice.email.body.contains("左の頬にほくろ、少し前かがみで歩く"))
            #expect(notice.fax.rows.contains { $0.label == "特徴" && $0.value == "左の頬にほくろ、少し前かがみで歩く" })
        }
    }

    @Test func theRadioSaysNoFrequentedPlace() throws {
        let notices = try Self.notices(try Self.event(without: [.features, .hair]).filled(from: Self.registration()))
        let scripts = notices.compactMap(\.radio?.text)
        #expect(scripts.count == 3)
        for script in scripts {
            for word in ["道の駅", "美里の郷", "JA", "野上支店", "神社", "よく行く", "ほくろ"] {
                #expect(!script.contains(word), "the radio says \(word)")
            }
        }
        // The description the radio does read is filled too.
        #expect(scripts[0].contains("髪は、白髪の短髪です。"))
    }

    @Test(arguments: [false, true])
    func noNoticeHoldsWhatTheFamilyGaveForThePoliceOrACareHome(drill: Bool) throws {
        var event = try Self.event(without: [.heightCm, .build, .hair, .features, .residenceArea, .photo])
        event.drill = drill
        let filled = event.filled(from: Self.registration())
        for notice in try Self.notices(filled) {
            let text = Self.everyPart(notice)
            for word in Self.neverInANotice { #expect(!text.contains(word), "\(notice.kind) holds \(word)") }
        }
        // Nor does the event the planner works from: the renderer is never given them.
        let encoded = String(decoding: try JSONEncoder().encode(filled), as: UTF8.self)
        for word in Self.neverInANotice + ["careNotes", "familyContacts", "registrant", "dateOfBirth", "address"] {
            #expect(!encoded.contains(word), "the merged event holds \(word)")
        }
    }

    /// The reviewed text of a registered person's alert, as each channel gets it.
    @Test func goldenFiles() throws {
        let event = try Self.event(without: [.features, .hair]).filled(from: Self.registration())
        let alert = try #require(try Self.notices(event).first)
        try Files.expectGolden("Subject: \(alert.email.subject)\n\n\(alert.email.body)", "registered-alert.email.txt")
        try Files.expectGolden(alert.fax.plainText, "registered-alert.fax.txt")
        try Files.expectGolden(try #require(alert.radio?.text), "registered-alert.radio.txt")
    }

    @Test func theSampleAlertWithoutARegistrationIsUnchanged() throws {
        // The golden files of the sample case stay as they were: no row without places.
        let alert = try #require(try NoticeRenderingTests.sampleNotices(drill: false).first)
        #expect(!alert.email.body.contains("よく行く場所") && !alert.fax.plainText.contains("よく行く場所"))
    }
}

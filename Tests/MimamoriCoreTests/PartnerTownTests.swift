import Foundation
import Testing

@testable import MimamoriCore

/// Seed 004 (圏域で取り組む): a case shared with a partner town only with the family's consent,
/// each cooperator told by exactly one daemon, and the partner told the end of what it was told.
@Suite("Partner towns: forwarding, acceptance, one daemon per row")
struct PartnerTownTests {
    /// Kimino's settings with Kainan as a partner of the given kind.
    static func kimino(_ kainan: Configuration.Partner?) throws -> Planner {
        var configuration = try Sample.configuration()
        configuration.partners = kainan.map { ["kainan": $0] } ?? [:]
        return Planner(configuration: configuration, directory: try Sample.directory())
    }

    /// Kainan's daemon: the same directory read as Kainan's (its `fax-kainan` row is its own),
    /// Kimino a partner that runs its own daemon.
    static func kainan() throws -> Planner {
        var configuration = try Sample.configuration()
        configuration.municipality = "kainan"
        configuration.partners = ["kimino": .ownDaemon]
        return Planner(configuration: configuration, directory: try Sample.directory())
    }

    static func consented(_ consent: Bool = true, sequence: Int = 1, kind: CaseEvent.Kind = .opened) throws -> CaseEvent {
        var event = try Sample.event(sequence: sequence, kind: kind)
        event.consent.partnerTowns = consent
        return event
    }

    func receive(_ event: CaseEvent, _ state: inout CaseState?, _ planner: Planner) -> [CaseState.Action] {
        CaseState.receive(event, state: &state, context: CaseState.Context(planner: planner, now: Sample.now))
    }

    func forwards(_ actions: [CaseState.Action]) -> [String]? {
        for case .forward(let partners) in actions { return partners }
        return nil
    }

    func recipients(_ actions: [CaseState.Action]) -> Set<String> {
        var ids = Set<String>()
        for case .plan(let plan) in actions { ids.formUnion(plan.deliveries.map(\.recipient.rawValue)) }
        return ids
    }

    // MARK: settings

    @Test("partners: each town with own-daemon or our-directory; anything else says what is allowed")
    func settings() throws {
        let base = try Files.fixtureText("mimamori.yaml")
        let good = try Configuration.parse(yaml: base + "\npartners: { kainan: own-daemon, yuasa: our-directory }\n")
        #expect(good.partners == ["kainan": .ownDaemon, "yuasa": .ourDirectory])
        #expect(good.forwardingPartners == ["kainan"])
        #expect(try Configuration.parse(yaml: base).partners.isEmpty)
        for (yaml, message) in [
            ("partners: { kainan: yes }", "partners.kainan: must be own-daemon or our-directory"),
            ("partners: { 海南市: own-daemon }", "partners.海南市: a partner is named by its municipality id"),
            ("partners: { kimino: own-daemon }", "partners.kimino: is this town's own municipality"),
            ("partners: [kainan]", "partners: must be a mapping of towns"),
        ] {
            #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: base + "\n" + yaml + "\n") }
            do {
                _ = try Configuration.parse(yaml: base + "\n" + yaml + "\n")
            } catch {
                #expect(error.description.contains(message), "\(error)")
            }
        }
    }

    @Test("a reload keeps the running partners: the forwarding queues were declared at start")
    func reloadKeepsPartners() throws {
        var running = try Sample.configuration()
        running.partners = ["kainan": .ownDaemon]
        var file = running
        file.partners = [:]
        let (applied, restart) = running.reloaded(from: file)
        #expect(applied.partners == ["kainan": .ownDaemon])
        #expect(restart.map(\.key) == ["partners"])
    }

    // MARK: the origin town

    @Test(
        "with consent: the alert is forwarded to every own-daemon partner, and every later event of the case too, the closure whatever its consent says"
    )
    func consentForwardsTheWholeCase() throws {
        let planner = try Self.kimino(.ownDaemon)
        var state: CaseState?
        let opened = receive(try Self.consented(), &state, planner)
        #expect(forwards(opened) == ["kainan"])
        #expect(state?.forwardedTo == ["kainan"])
        // The family withdrew the consent in an update: the partner that was told still hears it.
        #expect(forwards(receive(try Self.consented(false, sequence: 2, kind: .updated), &state, planner)) == ["kainan"])
        #expect(forwards(receive(try Self.consented(false, sequence: 3, kind: .closed), &state, planner)) == ["kainan"])
        // A repeat or anything after closure is not taken, so not forwarded either.
        #expect(forwards(receive(try Self.consented(false, sequence: 3, kind: .closed), &state, planner)) == nil)
    }

    @Test("without consent nothing is forwarded, ever: not the alert, not a later event")
    func noConsentNoForward() throws {
        let planner = try Self.kimino(.ownDaemon)
        var state: CaseState?
        #expect(forwards(receive(try Self.consented(false), &state, planner)) == nil)
        #expect(forwards(receive(try Self.consented(false, sequence: 2, kind: .updated), &state, planner)) == nil)
        #expect(forwards(receive(try Self.consented(false, sequence: 3, kind: .closed), &state, planner)) == nil)
        #expect(state?.forwardedTo == nil)
    }

    @Test("consent given in a later update starts the forwarding there, with the update's full state")
    func consentLaterForwardsFromThere() throws {
        let planner = try Self.kimino(.ownDaemon)
        var state: CaseState?
        #expect(forwards(receive(try Self.consented(false), &state, planner)) == nil)
        #expect(forwards(receive(try Self.consented(true, sequence: 2, kind: .updated), &state, planner)) == ["kainan"])
    }

    @Test("no own-daemon partner: nothing is forwarded (our-directory partners are alerted from our directory)")
    func directoryPartnerIsNotForwarded() throws {
        for kind in [Configuration.Partner.ourDirectory, nil] {
            var state: CaseState?
            let actions = receive(try Self.consented(), &state, try Self.kimino(kind))
            #expect(forwards(actions) == nil)
            #expect(recipients(actions).contains("fax-kainan"), "\(String(describing: kind))")
        }
    }

    @Test("each cooperator by one daemon: an own-daemon partner's rows in our directory are never alerted by us")
    func partnerRowsAreThePartnersDaemons() throws {
        let planner = try Self.kimino(.ownDaemon)
        let event = try Self.consented()
        let reach = planner.reach(for: event)
        #expect(reach.decisions.first { $0.recipient.rawValue == "fax-kainan" }?.reason == .partnerDaemon)
        #expect(!planner.recipients(for: event).contains { $0.id.rawValue == "fax-kainan" })
        // The closure's account names the same reason, not "never alerted".
        let closure = planner.closure(
            caseID: event.caseID, revision: 2, drill: false, history: .none, documentsFrom: Sample.now, documentsTo: Sample.now,
            now: Sample.now)
        #expect(closure.reach.decisions.first { $0.recipient.rawValue == "fax-kainan" }?.reason == .partnerDaemon)
    }

    // MARK: the partner town

    @Test("the partner's daemon takes a forwarded case and alerts its own rows only, never re-forwards it")
    func partnerAlertsItsOwnRows() throws {
        let planner = try Self.kainan()
        var state: CaseState?
        let actions = receive(try Self.consented(), &state, planner)
        #expect(recipients(actions).contains("fax-kainan"))
        // Kimino's rows are Kimino's daemon's: the shared network, each row told once.
        let kiminoRows = try Sample.directory().cooperators.filter { $0.municipality == "kimino" }.map(\.id.rawValue)
        #expect(recipients(actions).isDisjoint(with: kiminoRows))
        #expect(forwards(actions) == nil && state?.forwardedTo == nil)
        let closed = receive(try Self.consented(false, sequence: 2, kind: .closed), &state, planner)
        #expect(state?.phase == .closed && forwards(closed) == nil)
    }

    @Test("a partner's new case without consent is dead-lettered; its later events are taken whatever their consent")
    func partnerWithoutConsentIsRejected() throws {
        let planner = try Self.kainan()
        var state: CaseState?
        #expect(receive(try Self.consented(false), &state, planner) == [.reject(reason: .partnerWithoutConsent)])
        #expect(CaseState.RejectReason.partnerWithoutConsent.code == "case.partner-without-consent")
        #expect(state == nil)
        _ = receive(try Self.consented(), &state, planner)
        // An update that withdrew the consent tells no one new, and the closure still goes.
        let update = receive(try Self.consented(false, sequence: 2, kind: .updated), &state, planner)
        #expect(recipients(update).isEmpty)
        #expect(state?.phase == .updated)
    }

    @Test("a town that is not an own-daemon partner is still a routing mistake")
    func otherTownsStayRejected() throws {
        var configuration = try Sample.configuration()
        configuration.municipality = "kainan"
        for partners in [[:], ["kimino": Configuration.Partner.ourDirectory]] {
            configuration.partners = partners
            var state: CaseState?
            let planner = Planner(configuration: configuration, directory: try Sample.directory())
            #expect(receive(try Self.consented(), &state, planner) == [.reject(reason: .otherMunicipality)])
        }
    }
}

extension PartnerTownTests {
    @Test("a partner's case on the partner's radio only with both consents; a withdrawal sends no one more data")
    func partnerRadioNeedsPartnerConsent() throws {
        let planner = try Self.kainan()
        #expect(planner.radioAllowed(for: try Self.consented()))
        #expect(!planner.radioAllowed(for: try Self.consented(false)))
        // Our own case needs no partner consent for our own radio.
        #expect(try Self.kimino(.ownDaemon).radioAllowed(for: try Self.consented(false)))
        let history = DeliveryHistory(personalDataRecipients: [RecipientID("fax-kainan"): [.fax]], radioAnnounced: true)
        let withdrawn = planner.update(try Self.consented(false, sequence: 2, kind: .updated), history: history, now: Sample.now)
        #expect(withdrawn.deliveries.isEmpty)
    }
}

extension PartnerTownTests {
    @Test("a partner's case says where the person went missing and whose area the residence is; ours reads as always")
    func partnerNoticeNamesTheOriginTown() throws {
        var configuration = try Sample.configuration()
        configuration.municipality = "kainan"
        let base = try Files.fixtureText("mimamori.yaml").replacingOccurrences(of: "municipality: kimino", with: "municipality: kainan")
        let parsed = try Configuration.parse(yaml: base + "\npartners: { kimino: { kind: own-daemon, name: 紀美野町 } }\n")
        #expect(parsed.partners == ["kimino": .ownDaemon] && parsed.partnerNames == ["kimino": "紀美野町"])
        let planner = Planner(configuration: parsed, directory: try Sample.directory())
        let event = try Self.consented()
        let plan = planner.alert(event, now: Sample.now)
        let notice = try #require(plan.notices.first)
        let email = notice.email.body
        #expect(email.contains("紀美野町で次の方が行方不明になり"), "\(email)")
        #expect(email.contains("お住まい　　紀美野町 \(event.person?.residenceArea ?? "")"), "\(email)")
        #expect(notice.fax.lead.joined().contains("紀美野町で次の方が行方不明になり"), "\(notice.fax.lead)")
        #expect(notice.fax.rows.contains { $0.label == "お住まい" && $0.value == "紀美野町 \(event.person?.residenceArea ?? "")" })
        // Without a name the id stands in; our own case has no such words.
        var unnamed = parsed
        unnamed.partnerNames = [:]
        #expect(Planner(configuration: unnamed, directory: try Sample.directory()).renderer.originTown(of: event) == "kimino")
        let own = try Self.kimino(.ownDaemon).alert(event, now: Sample.now)
        #expect(try #require(own.notices.first?.email.body).contains("\n次の方が行方不明になり"))
        #expect(throws: ConfigurationError.self) {
            try Configuration.parse(yaml: base + "\npartners: { kimino: { name: 紀美野町 } }\n")
        }
    }
}

extension PartnerTownTests {
    @Test("a city's notices say 市, a town's 町: 「市ではなく、警察へ」, 「市に届きます」")
    func townKindInTheWords() throws {
        func town(_ name: String) -> Configuration.Town { Configuration.Town(name: name, department: "保健福祉課", phone: "073-483-8111") }
        #expect(town("海南市").kind == "市" && town("紀美野町").kind == "町" && town("北山村").kind == "村")
        #expect(town("見守りネット").kind == "役場")
        var configuration = try Sample.configuration()
        configuration.town = town("海南市")
        configuration.areas = AreaTree(root: "海南市")
        let notice = try #require(
            Planner(configuration: configuration, directory: try Sample.directory()).alert(try Sample.opened(), now: Sample.now).notices
                .first)
        #expect(notice.fax.callout?.hasPrefix("見かけた方は、市ではなく、警察へ直接ご連絡ください。") == true)
        #expect(notice.email.body.contains("市ではなく、警察へのご連絡をお願いします。"))
        #expect(!notice.email.body.contains("町ではなく"))
    }
}

extension PartnerTownTests {
    @Test("Kimino's areas are not in Kainan's tree: a Kainan row of an area is asked for a Kimino case, never skipped on a guess")
    func partnerCaseAreasAsk() throws {
        var configuration = try Sample.configuration()
        configuration.municipality = "kainan"
        configuration.partners = ["kimino": .ownDaemon]
        var tree = AreaTree(root: "海南市")
        try tree.add(children: ["日方", "黒江"], under: "海南市")
        configuration.areas = tree
        let rows = [
            Cooperator(
                id: RecipientID("hikata-shop"), name: "日方の商店", channel: .fax, address: "073-483-0003", areas: ["日方"],
                municipality: "kainan"),
            Cooperator(
                id: RecipientID("kuroe-vol"), name: "黒江の協力者", channel: .email, address: "kuroe@example.jp", areas: ["黒江"],
                municipality: "kainan"),
        ]
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory(rows))
        let event = try Self.consented()  // 野上 and 美里: Kimino's areas
        let reach = planner.reach(for: event)
        #expect(reach.decisions.map(\.reason) == [.askedUnknownArea, .askedUnknownArea])
        #expect(Set(planner.recipients(for: event).map(\.id.rawValue)) == ["hikata-shop", "kuroe-vol"])
    }
}

import Foundation
import Testing

@testable import MimamoriCore

/// `ConcernState.receive` with the Mimasaka settings and the real renderer: what each event
/// plans, and every ordering rule.
@Suite("Concern state transitions")
struct ConcernStateTests {
    /// Wednesday 2026-12-02 10:20 JST: in hours.
    static let inHours = ConcernSample.at("2026-12-02T10:20")

    static func context(now: Date = inHours, messageRecorded: Bool = false, purged: Bool = false) throws -> ConcernState.Context {
        let c = try ConcernSample.configuration()
        return ConcernState.Context(
            concerns: try #require(c.concerns), municipality: c.municipality, areas: c.areas, renderer: try ConcernSample.renderer(),
            messageRecorded: messageRecorded, purged: purged, now: now)
    }

    static func report(
        urgent: Bool = false, area: String? = "勝田", drill: Bool = false, reporter: ConcernEvent.Reporter? = nil
    ) throws -> ConcernEvent {
        var e = try ConcernSample.reported()
        e.urgent = urgent
        e.subject?.area = area
        e.drill = drill
        if let reporter { e.reporter = reporter }
        return e
    }

    static func result(sequence: Int = 2, drill: Bool = false) throws -> ConcernEvent {
        var e = try ConcernSample.resolved()
        e.sequence = sequence
        e.drill = drill
        e.messageID = UUID()
        return e
    }

    static func reported(_ event: ConcernEvent? = nil, now: Date = inHours) throws -> (ConcernState?, [ConcernState.Action]) {
        var state: ConcernState?
        let actions = ConcernState.receive(try event ?? report(), state: &state, context: try context(now: now))
        return (state, actions)
    }

    static func plan(_ actions: [ConcernState.Action]) -> (deliveries: [ConcernDelivery], notices: [RenderedNotice])? {
        guard actions.count == 1, case .plan(let deliveries, let notices) = actions[0] else { return nil }
        return (deliveries, notices)
    }

    /// (recipient, channel, address) of each delivery, in order.
    /// Addresses as the ledger keeps them: FAX numbers in E.164, as the outlets take them.
    static func targets(_ deliveries: [ConcernDelivery]) -> [String] {
        deliveries.map { "\($0.planned.recipient.rawValue) \($0.planned.channel.rawValue) \($0.address)" }
    }

    // MARK: reported

    @Test func aReportGoesToEveryAddressOfItsStationOnBothChannels() throws {
        let (state, actions) = try Self.reported()
        let plan = try #require(Self.plan(actions))
        #expect(
            Self.targets(plan.deliveries) == ["shoda fax +81868753602", "shoda email shoda@shakyo.mimasaka.example.jp"])
        #expect(plan.deliveries.allSatisfy { $0.planned.kind == .concernReport && $0.planned.revision == 1 })
        #expect(plan.deliveries.allSatisfy { $0.planned.notBefore == Self.inHours && $0.planned.caseID == CaseID("MS-C-2026-0007") })
        #expect(plan.notices.count == 1 && plan.notices[0].kind == .concernReport && plan.notices[0].revision == 1)
        #expect(plan.deliveries.allSatisfy { plan.notices[0].matches($0.planned) })
        #expect(Set(plan.deliveries.map(\.planned.idempotencyKey)).count == 2)

        let s = try #require(state)
        #expect(s.phase == .reported && s.lastSequence == 1 && s.reportedAt == Self.inHours && s.closedAt == nil)
        #expect(s.route == ConcernRoute(desks: ["shoda"], rule: .station, urgent: false))
        #expect(s.report == (try Self.report()) && s.callbackDesk == nil)
    }

    @Test func anUrgentReportInHoursGoesToTheCentreAndTheStation() throws {
        let (state, actions) = try Self.reported(try Self.report(urgent: true))
        let plan = try #require(Self.plan(actions))
        #expect(
            Self.targets(plan.deliveries) == [
                "shoda fax +81868753602", "shoda email shoda@shakyo.mimasaka.example.jp", "centre fax +81868730331",
                "centre email sodan@city.mimasaka.example.jp",
            ])
        #expect(plan.notices.count == 1, "one notice per kind, whatever the number of desks")
        #expect(state?.route.desks == ["shoda", "centre"] && state?.route.urgent == true)
    }

    @Test func aStationWithEmailOnlyGetsTheEmail() throws {
        let (_, actions) = try Self.reported(try Self.report(area: "湯郷"))
        #expect(Self.targets(try #require(Self.plan(actions)).deliveries) == ["mimasaka email mimasaka@shakyo.mimasaka.example.jp"])
    }

    @Test func afterHoursTheDutyDeskAlone() throws {
        let (state, actions) = try Self.reported(try Self.report(urgent: true), now: ConcernSample.at("2026-12-04T18:00"))
        #expect(
            Self.targets(try #require(Self.plan(actions)).deliveries) == [
                "duty fax +81868721112", "duty email nicchoku@city.mimasaka.example.jp",
            ])
        #expect(state?.route.rule == .evening)
    }

    @Test func aDeskWithTwoAddressesOnAChannelGetsBoth() throws {
        var context = try Self.context()
        let index = try #require(context.concerns.desks.firstIndex { $0.id == "shoda" })
        context.concerns.desks[index].emails.append("shoda2@shakyo.mimasaka.example.jp")
        context.concerns.desks[index].faxes = []
        var state: ConcernState?
        let actions = ConcernState.receive(try Self.report(), state: &state, context: context)
        #expect(
            Self.targets(try #require(Self.plan(actions)).deliveries) == [
                "shoda email shoda@shakyo.mimasaka.example.jp", "shoda-2 email shoda2@shakyo.mimasaka.example.jp",
            ])
    }

    @Test func theDeskIsChosenAtTheTimeTheReportArrivesNotWhenItWasIssued() throws {
        // Issued 10:20 on a Wednesday, received on Saturday (a publisher's backlog): the duty desk.
        let (state, _) = try Self.reported(now: ConcernSample.at("2026-12-05T09:00"))
        #expect(state?.route.desks == ["duty"] && state?.route.rule == .weekend)
    }

    // MARK: ordering

    @Test func aRedeliveredMessageChangesNothing() throws {
        var (state, _) = try Self.reported()
        let before = state
        let actions = ConcernState.receive(try Self.report(), state: &state, context: try Self.context(messageRecorded: true))
        #expect(actions == [.ignore(reason: "concern.repeated-message")])
        #expect(state == before)
    }

    @Test func aStaleSequenceIsIgnored() throws {
        var (state, _) = try Self.reported()
        _ = ConcernState.receive(try Self.result(sequence: 3), state: &state, context: try Self.context())
        let before = state
        var again = try Self.report()
        again.messageID = UUID()
        #expect(ConcernState.receive(again, state: &state, context: try Self.context()) == [.ignore(reason: "concern.stale-sequence")])
        #expect(
            ConcernState.receive(try Self.result(sequence: 3), state: &state, context: try Self.context()) == [
                .ignore(reason: "concern.stale-sequence")
            ])
        #expect(state == before)
    }

    @Test func reportedAgainIsIgnoredAndTheFirstDesksKeepTheReport() throws {
        var (state, _) = try Self.reported()
        let before = state
        var again = try Self.report(urgent: true, area: "英田")
        again.messageID = UUID()
        again.sequence = 2
        #expect(ConcernState.receive(again, state: &state, context: try Self.context()) == [.ignore(reason: "concern.reported-again")])
        #expect(state == before)
    }

    @Test func aResultForAReportNeverRecordedIsDeadLettered() throws {
        var state: ConcernState?
        #expect(
            ConcernState.receive(try Self.result(), state: &state, context: try Self.context()) == [
                .reject(reason: "concern.unknown-report")
            ])
        #expect(state == nil)
    }

    @Test func anythingAfterTheResultIsIgnored() throws {
        var (state, _) = try Self.reported()
        _ = ConcernState.receive(try Self.result(sequence: 2), state: &state, context: try Self.context())
        let before = state
        #expect(
            ConcernState.receive(try Self.result(sequence: 3), state: &state, context: try Self.context()) == [
                .ignore(reason: "concern.after-resolution")
            ])
        var late = try Self.report()
        late.messageID = UUID()
        late.sequence = 4
        #expect(ConcernState.receive(late, state: &state, context: try Self.context()) == [.ignore(reason: "concern.after-resolution")])
        #expect(state == before)
    }

    @Test(arguments: [false, true])
    func aPurgedReportStaysClosed(_ stateKept: Bool) throws {
        var (state, _) = try Self.reported()
        if !stateKept { state = nil }
        let before = state
        for event in [try Self.result(), try Self.report()] {
            #expect(
                ConcernState.receive(event, state: &state, context: try Self.context(purged: true)) == [.ignore(reason: "concern.purged")])
        }
        #expect(state == before)
    }

    @Test func anotherMunicipalitysEventsAreDeadLettered() throws {
        var report = try Self.report()
        report.municipality = "shoo"
        var state: ConcernState?
        #expect(ConcernState.receive(report, state: &state, context: try Self.context()) == [.reject(reason: "concern.other-municipality")])
        #expect(state == nil)
        var (kept, _) = try Self.reported()
        var result = try Self.result()
        result.municipality = "shoo"
        #expect(ConcernState.receive(result, state: &kept, context: try Self.context()) == [.reject(reason: "concern.other-municipality")])
        #expect(kept?.phase == .reported)
    }

    @Test(arguments: [false, true])
    func drillAndRealAreNeverMixed(_ drillFirst: Bool) throws {
        var (state, _) = try Self.reported(try Self.report(drill: drillFirst))
        let actions = ConcernState.receive(try Self.result(drill: !drillFirst), state: &state, context: try Self.context())
        #expect(actions == [.reject(reason: "concern.drill-mismatch")])
        #expect(state?.phase == .reported)
    }

    // MARK: resolved

    static func resolve(_ reporter: ConcernEvent.Reporter, report: ConcernEvent? = nil) throws -> (ConcernState?, [ConcernState.Action]) {
        var (state, _) = try reported(try report ?? Self.report(reporter: reporter))
        let at = ConcernSample.at("2026-12-03T15:00")
        let actions = ConcernState.receive(try result(), state: &state, context: try context(now: at))
        return (state, actions)
    }

    static let shop = ConcernEvent.Reporter(organization: "ほっとマート勝田店（架空）", name: "作東 花子", phone: "0868-75-0000")

    @Test func theResultGoesToTheReportersEmail() throws {
        var reporter = Self.shop
        reporter.email = "tenpo@hotmart.example.jp"
        let (state, actions) = try Self.resolve(reporter)
        let plan = try #require(Self.plan(actions))
        #expect(Self.targets(plan.deliveries) == ["reporter email tenpo@hotmart.example.jp"])
        #expect(plan.deliveries.allSatisfy { $0.planned.kind == .concernResult && $0.planned.revision == 2 })
        #expect(plan.notices.map(\.kind) == [.concernResult] && plan.notices[0].revision == 2)
        let s = try #require(state)
        #expect(s.phase == .resolved && s.lastSequence == 2 && s.closedAt == ConcernSample.at("2026-12-03T15:00"))
        #expect(s.callbackDesk == nil)
    }

    @Test func theResultGoesToTheReportersFax() throws {
        var reporter = Self.shop
        reporter.fax = "0868-75-0001"
        let (_, actions) = try Self.resolve(reporter)
        #expect(Self.targets(try #require(Self.plan(actions)).deliveries) == ["reporter fax +81868750001"])
    }

    @Test func theResultGoesToBothWhenTheReporterGaveBoth() throws {
        var reporter = Self.shop
        reporter.fax = "0868-75-0001"
        reporter.email = "tenpo@hotmart.example.jp"
        let (_, actions) = try Self.resolve(reporter)
        let plan = try #require(Self.plan(actions))
        #expect(Self.targets(plan.deliveries) == ["reporter fax +81868750001", "reporter email tenpo@hotmart.example.jp"])
        #expect(plan.notices.count == 1)
    }

    @Test func aReporterWithAPhoneOnlyIsCalledBackByTheFirstDesk() throws {
        let (state, actions) = try Self.resolve(Self.shop)
        #expect(actions == [.callBack(desk: "shoda")])
        #expect(state?.callbackDesk == "shoda" && state?.phase == .resolved && state?.lastSequence == 2)
        #expect(state?.closedAt == ConcernSample.at("2026-12-03T15:00"))
    }

    @Test func anUrgentReportsCallBackIsTheFirstOfItsDesks() throws {
        let (state, actions) = try Self.resolve(Self.shop, report: try Self.report(urgent: true, reporter: Self.shop))
        // The station visits: it calls back, though the centre was told as well.
        #expect(actions == [.callBack(desk: "shoda")])
        #expect(state?.route.desks == ["shoda", "centre"])
    }

    @Test func aCallBackIsAResolutionToo() throws {
        var (state, _) = try Self.resolve(Self.shop)
        #expect(
            ConcernState.receive(try Self.result(sequence: 3), state: &state, context: try Self.context()) == [
                .ignore(reason: "concern.after-resolution")
            ])
    }

    @Test func theStateSurvivesTheLedger() throws {
        let (state, _) = try Self.resolve(Self.shop)
        let s = try #require(state)
        let decoded = try JSONDecoder().decode(ConcernState.self, from: try JSONEncoder().encode(s))
        #expect(decoded == s)
    }
}

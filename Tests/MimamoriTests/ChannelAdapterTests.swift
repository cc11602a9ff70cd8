import Foundation
import MimamoriCore
import Outlets
import TestFixtures
import Testing

@testable import MimamoriDaemon
@testable import MimamoriService

/// The channels as plug-ins: one adapter per channel, each writing its own files for `render`,
/// the drill's marks asked of the core's rule.
@Suite struct ChannelAdapterTests {
    static let root = ServerProcess.repositoryRoot

    static func sample(drill: Bool) throws -> (RenderedNotice, Configuration) {
        let yaml = try String(contentsOf: root.appendingPathComponent("config/mimamori.yaml"), encoding: .utf8)
        let configuration = try Configuration.parse(yaml: yaml)
        var event = try CaseEvent.decode(try Data(contentsOf: root.appendingPathComponent("config/samples/case-opened.json")))
        event.drill = drill
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory())
        return (planner.renderer.description(.alert, event: event, photo: nil, sentAt: event.issuedAt), configuration)
    }

    @Test func everyChannelHasExactlyOneAdapter() {
        #expect(Set(Channels.adapters.map { $0.channel }) == Set(Channel.allCases))
        #expect(Channels.adapters.count == Channel.allCases.count)
    }

    /// Through the mail gateway a FAX waits for an SMTP session like any mail: as many at once as
    /// there are sessions (never fewer than a provider's four); a provider or HylaFAX, four.
    @Test func faxesAtOnceFollowTheMailSessionsOnlyThroughTheGateway() {
        var email = Configuration.Email(from: "町 <sos@town.example.jp>")
        for sessions in [1, 4, 8, 16] {
            email.sessions = sessions
            #expect(FaxDeliveryOutlet.concurrency(.emailGateway, email: email) == max(4, sessions))
            #expect(FaxDeliveryOutlet.concurrency(.httpAPI, email: email) == 4)
            #expect(FaxDeliveryOutlet.concurrency(.hylafax, email: email) == 4)
        }
    }

    @Test(arguments: [false, true])
    func aDrillIsMarkedByTheCoresRuleOnTheFAXAndInCAP(drill: Bool) throws {
        let (notice, configuration) = try Self.sample(drill: drill)
        #expect(
            FaxDeliveryOutlet.document(notice, created: Date(timeIntervalSince1970: 0)).drillBanner
                == drillMark(drill: drill)?.banner)
        // A notice stored before the templates placed the banner, or a template without one: a
        // drill's FAX still carries it.
        var unbannered = notice
        unbannered.fax.banner = nil
        #expect(
            FaxDeliveryOutlet.document(unbannered, created: Date(timeIntervalSince1970: 0)).drillBanner
                == drillMark(drill: drill)?.banner)
        let delivery = PlannedDelivery(
            caseID: notice.caseID, revision: 1, recipient: .radio, channel: .radio, kind: .alert, notBefore: Date(timeIntervalSince1970: 0))
        let files = try RadioDeliveryOutlet.render(notice, delivery: delivery, configuration: configuration)
        #expect(files.map(\.name) == ["alert.cap.xml"])
        let cap = String(decoding: try #require(files.first).bytes, as: UTF8.self)
        #expect(cap.contains("<status>\(drill ? "Exercise" : "Actual")</status>"))
        #expect(cap.contains("<note>") == drill)
        if let mark = drillMark(drill: drill) { #expect(cap.contains("<note>\(mark.note)</note>")) }
        #expect(cap.contains("<identifier>\(delivery.idempotencyKey)</identifier>"))
    }

    /// The radio's CAP as an alert aggregator reads it (cap-tools, strict): the alert expires
    /// after `radio.cap-expires`, the end of the search is an all-clear `Update` referring to
    /// the alert and expiring soon, both name the case as their incident.
    @Test func theEndOfASearchIsAnAllClearUpdateOfTheSameIncident() throws {
        var (alert, configuration) = try Self.sample(drill: false)
        configuration.radio?.capExpires = .seconds(12 * 3600)
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory())
        let sent = Date(timeIntervalSince1970: 1_795_761_300)  // 2026-11-27 15:35 JST
        let ended = sent.addingTimeInterval(3 * 3600)
        let termination = planner.renderer.termination(
            caseID: alert.caseID, revision: 3, drill: false, firstNoticeAt: sent, sentAt: ended)
        var files: [RenderedFile] = []
        for (notice, at, revision) in [(alert, sent, 1), (termination, ended, 3)] {
            let delivery = PlannedDelivery(
                caseID: notice.caseID, revision: revision, recipient: .radio, channel: .radio, kind: notice.kind, notBefore: at)
            files += try RadioDeliveryOutlet.render(notice, delivery: delivery, configuration: configuration)
        }
        #expect(files.map(\.name) == ["alert.cap.xml", "termination.cap.xml"])
        let verdicts = try CAPValidator.validate(files.map { String(decoding: $0.bytes, as: UTF8.self) })
        for verdict in verdicts { #expect(verdict.ok, "\(verdict.error ?? "")") }
        #expect(verdicts.map(\.msgType) == ["Alert", "Update"])
        #expect(verdicts.map(\.responseType) == [[], ["AllClear"]])
        #expect(verdicts.map(\.incidents) == [[alert.caseID.rawValue], [alert.caseID.rawValue]])
        #expect(verdicts.map(\.expires) == ["2026-11-28T03:35:00+09:00", "2026-11-27T19:35:00+09:00"])
        #expect(verdicts[1].references?.count == 1)
        #expect(verdicts[1].references?.first?.contains(",\(alert.caseID.rawValue).1.alert.radio.radio,") == true)
    }
}

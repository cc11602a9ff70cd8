import Foundation
import Testing

@testable import MimamoriCore

/// Design 6 as a town writes its directory: areas at different levels, joined forms, areas the
/// tree does not know. The planner narrows only where the tree knows both sides.
@Suite("Planner reach")
struct PlannerReachTests {
    static let settings = """
        municipality: kainan
        town: { name: 海南市, department: 高齢介護課, phone: 073-483-8111 }
        areas:
          海南市: [日方, 黒江, 船尾]
          aliases: { 旧日方町: 日方 }
        email: { from: "海南市 高齢介護課 <sos@city.example.jp>" }
        """

    /// The six active cooperators of the review, and one inactive row.
    static let directory = """
        id,name,channel,address,areas,municipality,active
        fax-city-hall,海南市役所,fax,073-483-0001,海南市,kainan,yes
        fax-hospital,海南医療センター,fax,073-483-0002,海南市,kainan,yes
        fax-hikata-shop,日方の商店,fax,073-483-0003,海南市日方,kainan,yes
        vol-hikata,日方の協力者,email,hikata@example.jp,日方,kainan,yes
        vol-kuroe,黒江の協力者,email,kuroe@example.jp,黒江,kainan,yes
        vol-all,全域の協力者,email,all@example.jp,,kainan,yes
        fax-closed,閉店した店,fax,073-483-0007,日方,kainan,no
        """

    static func planner(settings: String = settings, directory: String = directory) throws -> Planner {
        let configuration = try Configuration.parse(yaml: settings)
        let loaded = try CooperatorDirectory.load(csv: Data(directory.utf8))
        return Planner(configuration: configuration, directory: loaded.directory)
    }

    static func event(residence: String?, lastSeen: String? = nil, cooperators: Bool = true) throws -> CaseEvent {
        var event = try Sample.opened()
        event.municipality = "kainan"
        event.person?.residenceArea = residence
        event.lastSeen?.area = lastSeen
        event.consent.cooperators = cooperators
        return event
    }

    func reasons(_ reach: Reach) -> [String: Reach.Reason] {
        Dictionary(uniqueKeysWithValues: reach.decisions.map { ($0.recipient.rawValue, $0.reason) })
    }

    @Test func aCityWideRowIsAskedForACaseInOneOfItsAreas() throws {
        let plan = try Self.planner().alert(try Self.event(residence: "海南市日方"), now: Sample.now)
        let r = reasons(plan.reach)
        #expect(r["fax-city-hall"] == .asked && r["fax-hospital"] == .asked)
        #expect(r["fax-hikata-shop"] == .asked && r["vol-hikata"] == .asked && r["vol-all"] == .asked)
        // The sibling area is known on both sides and does not overlap: the hierarchy narrows.
        #expect(r["vol-kuroe"] == .skippedArea)
        #expect(r["fax-closed"] == .skippedInactive)
        #expect(plan.reach.active == 6 && plan.reach.asked == 5)
        #expect(plan.reach.logFields.map(\.value) == [6, 5, 1, 1, 0, 0])
        #expect(
            Set(plan.deliveries.map(\.recipient.rawValue)) == ["fax-city-hall", "fax-hospital", "fax-hikata-shop", "vol-hikata", "vol-all"])
    }

    @Test(arguments: ["日方", "海南市日方", "海南市　日方付近", "旧日方町", "ＨＩＫＡＴＡ"])
    func writtenFormsOfTheSameArea(_ residence: String) throws {
        let reach = try Self.planner().reach(for: try Self.event(residence: residence))
        if residence == "ＨＩＫＡＴＡ" {
            // Not a name the tree knows: nobody is skipped, every row with an area is counted.
            #expect(reach.asked == 6 && reach.count(.askedUnknownArea) == 5 && reach.unknownCaseAreas == ["HIKATA"])
        } else {
            #expect(reach.asked == 5 && reach.count(.skippedArea) == 1, "\(residence)")
        }
    }

    @Test func aCaseKnownOnlyAsTheCityAsksEveryAreaOfIt() throws {
        let reach = try Self.planner().reach(for: try Self.event(residence: "海南市"))
        #expect(reach.asked == 6 && reach.count(.skippedArea) == 0 && reach.count(.askedUnknownArea) == 0)
    }

    @Test func eitherAreaOfTheCaseAsks() throws {
        let reach = try Self.planner().reach(for: try Self.event(residence: "日方", lastSeen: "黒江"))
        #expect(reasons(reach)["vol-kuroe"] == .asked && reach.asked == 6)
    }

    @Test func aDirectoryAreaTheTreeDoesNotKnowAsks() throws {
        let directory = Self.directory + "\nvol-ohno,大野の協力者,email,ohno@example.jp,大野,kainan,yes"
        let reach = try Self.planner(directory: directory).reach(for: try Self.event(residence: "黒江"))
        let r = reasons(reach)
        #expect(r["vol-ohno"] == .askedUnknownArea)
        #expect(r["vol-hikata"] == .skippedArea && r["vol-kuroe"] == .asked)
        #expect(reach.count(.askedUnknownArea) == 1 && reach.unknownCaseAreas.isEmpty)
    }

    @Test func withoutATreeNothingIsNarrowedAndEveryAreaIsCounted() throws {
        let settings = Self.settings.replacingOccurrences(of: "areas:\n  海南市: [日方, 黒江, 船尾]\n  aliases: { 旧日方町: 日方 }\n", with: "")
        #expect(!settings.contains("areas:"))
        let reach = try Self.planner(settings: settings).reach(for: try Self.event(residence: "日方"))
        // Only the root (海南市) is known, and the case area is not: everyone with an area is asked.
        #expect(reach.asked == 6 && reach.count(.skippedArea) == 0 && reach.count(.askedUnknownArea) == 5)
    }

    @Test func withoutConsentEveryActiveRowIsSkippedForThatReason() throws {
        let plan = try Self.planner().alert(try Self.event(residence: "日方", cooperators: false), now: Sample.now)
        #expect(plan.deliveries.isEmpty)
        #expect(plan.reach.count(.skippedConsent) == 6 && plan.reach.asked == 0 && plan.reach.count(.skippedInactive) == 1)
    }

    @Test func anUpdateAsksEveryoneHoldingTheDataEvenAfterTheyNoLongerMatch() throws {
        let planner = try Self.planner()
        let history = DeliveryHistory(personalDataRecipients: [RecipientID("vol-kuroe"): [.email]])
        let plan = planner.update(try Self.event(residence: "日方"), history: history, now: Sample.now)
        #expect(reasons(plan.reach)["vol-kuroe"] == .holdsData)
        #expect(plan.reach.asked == 6 && plan.deliveries.contains { $0.recipient == RecipientID("vol-kuroe") })
    }

    @Test func theClosureReachesEveryHolderAndNobodyElse() throws {
        let planner = try Self.planner()
        let history = DeliveryHistory(personalDataRecipients: [RecipientID("vol-kuroe"): [.email], RecipientID("fax-closed"): [.fax]])
        let plan = planner.closure(
            caseID: CaseID("KN-1"), revision: 3, drill: false, history: history, documentsFrom: Sample.now,
            documentsTo: Sample.now, now: Sample.now)
        let r = reasons(plan.reach)
        #expect(r["vol-kuroe"] == .holdsData && r["fax-closed"] == .holdsData && r["vol-all"] == .neverAlerted)
        #expect(plan.reach.asked == 2)
    }

    /// Property: the hierarchy only ever adds recipients compared with asking everyone; a row is
    /// left out only when a known area of the case and all its known areas are disjoint.
    @Test func skippedRowsAreAlwaysKnownAndDisjoint() throws {
        let planner = try Self.planner()
        let forms = ["海南市", "日方", "黒江", "船尾", "海南市黒江", "旧日方町", "大野", "", "日方付近"]
        for residence in forms {
            for lastSeen in forms {
                let event = try Self.event(residence: residence, lastSeen: lastSeen)
                let reach = planner.reach(for: event)
                let caseAreas = planner.caseAreas(event)
                for decision in reach.decisions where decision.reason == .skippedArea {
                    let row = try #require(planner.directory[decision.recipient])
                    for mine in row.areas.map({ planner.configuration.areas.place($0) }) {
                        for theirs in caseAreas {
                            guard case .known(let a) = mine, case .known(let b) = theirs else {
                                Issue.record("\(decision.recipient) skipped on an unknown area (\(residence), \(lastSeen))")
                                continue
                            }
                            #expect(!planner.configuration.areas.overlaps(a, b))
                        }
                    }
                }
            }
        }
    }
}

import Foundation
import MimamoriCore
import Outlets
import Testing

@testable import Ledger
@testable import MimamoriService

/// The staff's shelter mails as they read them: why a request waits and the one command that
/// sends it, the facility's phone to call meanwhile; the last morning's reminder with the two
/// commands (end, extend within 7 days). Ids, the facility and dates only.
@Suite("Shelter alarm mails (wording)")
struct ShelterAlarmMessageTests {
    static let facility = Configuration.Shelter.Facility(id: "yasuragi", name: "介護老人福祉施設やすらぎ園", fax: "073-489-5000", phone: "073-489-5001")
    static let mail = AlarmMail(outlet: nil, from: EmailAddress("sos@town.example.jp"), town: "紀美野町")

    static func alarm(_ kind: CaseAlarm.Kind, reason: ShelterStay.HoldReason? = nil, days: Int = 7, facility: String = "yasuragi")
        -> CaseAlarm
    {
        let stay = ShelterStay(
            caseID: CaseID("KN-0042"), facilityID: facility, startsOn: LocalDate(2026, 11, 27), days: days, approvedBy: nil,
            state: reason == nil ? .sent : .held, holdReason: reason, revision: 3)
        return CaseAlarm(
            caseID: CaseID("KN-0042"), kind: kind, audience: .staff, raisedAt: Date(), openedAt: Date(), drill: false, stay: stay)
    }

    @Test("a held request: the reason, the command for it, the facility's phone; the cooperators were told")
    func held() {
        let cases: [(ShelterStay.HoldReason, String, String)] = [
            (.needsApproval, "第5条", "mimamori shelter send KN-0042 --approved-by 承認者の氏名"),
            (.unknownFacility, "shelter.facilities", "mimamori shelter send KN-0042 --facility 施設ID --approved-by 承認者の氏名"),
            (.notConfigured, "shelter:", "sudo systemctl reload mimamorid"),
        ]
        for (reason, why, command) in cases {
            let alarm = Self.alarm(.shelterHeld, reason: reason, facility: reason == .unknownFacility ? "typo" : "yasuragi")
            let (subject, body) = CaseAlarmService.message(for: alarm, in: Self.mail, facilities: [Self.facility])
            #expect(subject == "【要対応】緊急一時保護依頼書を送らずに保留しています KN-0042")
            #expect(body.contains(why) && body.contains(command), "\(reason): \(body)")
            #expect(body.contains("協力者への終了の連絡と書類の処分のお願いは、通常どおり送っています。"))
            #expect(body.contains("取り扱い第3条第2項ただし書"))
            if reason != .unknownFacility { #expect(body.contains("介護老人福祉施設やすらぎ園（電話 073-489-5001）"), "\(body)") }
        }
    }

    @Test("the last morning: end or extend, and how many days are left of 7")
    func lastMorning() {
        let (subject, body) = CaseAlarmService.message(for: Self.alarm(.shelterEnds, days: 2), in: Self.mail, facilities: [Self.facility])
        #expect(subject == "【確認】緊急一時保護の利用期間は本日までです KN-0042")
        #expect(body.contains("本日 2026年11月28日（土） が利用期間の最終日です"), "\(body)")
        #expect(
            body.contains("mimamori shelter end KN-0042") && body.contains("あと 5 日") && body.contains("mimamori shelter extend KN-0042"))
        let full = CaseAlarmService.message(for: Self.alarm(.shelterEnds, days: 7), in: Self.mail, facilities: [Self.facility]).body
        #expect(full.contains("上限の 7 日に達しています") && !full.contains("shelter extend"), "\(full)")
    }
}

import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriService

/// `mimamori shelter list`: every stay, newest first: case, facility, period, state. Ids,
/// facilities and dates only.
struct ShelterListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the emergency temporary stays: case, facility, period, state.")

    @OptionGroup var options: ShelterOptions

    func run() async throws {
        let files = try options.settings()
        let ledger = try await options.open(files)
        let stays: [StoredStay]
        do {
            stays = try await ledger.stays()
        } catch {
            throw ShelterOutput.refuse(error)
        }
        guard !stays.isEmpty else {
            print("緊急一時保護の記録はありません。")
            return
        }
        print("緊急一時保護 \(stays.count) 件")
        for stored in stays {
            print(Self.line(stored, configuration: files.configuration))
        }
    }

    static func line(_ stored: StoredStay, configuration: Configuration) -> String {
        let stay = stored.stay
        let name = configuration.shelter?.facility(stay.facilityID)?.name ?? "（設定にない施設）"
        var state = ShelterError.label(stay.state)
        if let reason = stay.holdReason, stay.state == .held {
            let why =
                switch reason {
                case .needsApproval: "（町長の承認待ち: mimamori shelter send \(stay.caseID) --approved-by 承認者）"
                case .unknownFacility: "（施設が設定にありません: mimamori shelter send \(stay.caseID) --facility 施設ID）"
                case .notConfigured: "（shelter: の設定がありません）"
                }
            state += why
        }
        if let ended = stay.endedAt { state += "（\(JapaneseDateFormat.date(ended))）" }
        if stored.form == nil { state += "・個人情報は削除済み" }
        let period = "\(JapaneseDateFormat.date(stay.startsOn))〜\(JapaneseDateFormat.date(stay.endsOn))（\(stay.days)日間）"
        let amended = stay.amendments > 0 ? " 変更\(stay.amendments)回" : ""
        return "\(stay.caseID)\(stay.drill ? " 【訓練】" : "")  \(stay.facilityID)（\(name)）  \(period)  \(state)\(amended)"
    }
}

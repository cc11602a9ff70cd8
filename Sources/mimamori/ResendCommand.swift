import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Timing

#if canImport(Glibc)
    import Glibc
#endif

/// `mimamori resend CASE [--channel C] [--recipient ID] [--state failed|expired]`: once the cause
/// of a failure is fixed (an address corrected, a full mailbox emptied), plans the case's failed
/// or expired deliveries again. The running daemon finds them at its next look at the ledger
/// (within seconds) and sends them; the email keeps its Message-ID. Printed for the town's staff,
/// in Japanese, ids only.
///
/// Exit status: 0 something was planned again; 1 nothing to resend (nothing matched, or only
/// alerts and updates of a closed case, which are refused); 2 the case is not in the ledger, or
/// was purged; 3 the ledger or the settings could not be used. 64 for a wrong argument.
struct ResendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resend",
        abstract: "Plan a case's failed or expired deliveries again, once the cause is fixed (the daemon sends them).")

    @Argument(help: "The case id.")
    var caseID: String

    @Option(name: .customLong("channel"), help: "Only this channel: email, fax or radio.")
    var channelName: String?

    var channel: Channel? { channelName.flatMap(Channel.init(rawValue:)) }

    @Option(help: "Only this recipient id (as in cooperators.csv, or radio).")
    var recipient: String?

    @Option(help: "Only deliveries in this state: failed or expired (default: both).")
    var state: ResendState?

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    enum ResendState: String, ExpressibleByArgument, CaseIterable {
        case failed, expired
    }

    func validate() throws {
        guard CaseID.isValid(caseID) else { throw ValidationError("'\(caseID)' is not a case id") }
        if let channelName, Channel(rawValue: channelName) == nil {
            throw ValidationError("--channel must be email, fax or radio, not '\(channelName)'")
        }
    }

    func run() async throws {
        let settings: SettingsFiles
        do {
            settings = try SettingsFiles.load(configPath: SettingsFiles.configPath(options.config))
        } catch {
            printError("設定を読み込めません: \(error.problems.joined(separator: "; "))")
            throw ExitCode(3)
        }
        let now = Date()
        let deadline = now.addingTimeInterval(settings.configuration.retry.deadline.inSeconds)
        let states: Set<DeliveryState> =
            switch state {
            case .failed: [.failed]
            case .expired: [.expired]
            case nil: [.failed, .expired]
            }
        let request = ResendRequest(
            caseID: CaseID(caseID), channel: channel, recipient: recipient.map(RecipientID.init(_:)), states: states,
            requestedBy: Self.invoker(),
            currentAddresses: Dictionary(
                settings.directory.cooperators.map { ($0.id, ResendRequest.CurrentAddress(channel: $0.channel, address: $0.address)) },
                uniquingKeysWith: { first, _ in first }))
        let result: ResendResult
        do {
            var ledgerSettings = settings.configuration.ledger
            if let ledger { ledgerSettings.path = ledger }
            let reports: any CaseReports = try await Ledger.open(ledgerSettings, password: ledgerPassword())
            result = try await reports.resend(request, now: now, deadline: deadline)
        } catch {
            printError("台帳を使えません: \(error.operatorHint)")
            throw ExitCode(3)
        }
        let report = Self.describe(result, request: request, deadline: deadline)
        print(report.text, terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// Who ran the command: the staff member's own login under `sudo -u mimamori`.
    static func invoker() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let user = environment["SUDO_USER"], !user.isEmpty { return user }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "-"
    }

    static func label(_ channel: Channel) -> String {
        switch channel {
        case .email: "メール"
        case .fax: "FAX"
        case .radio: "防災無線"
        }
    }

    static func label(_ kind: NoticeKind) -> String {
        switch kind {
        case .alert: "捜索依頼"
        case .update: "更新"
        case .termination: "終結のお知らせ"
        case .destructionReminder: "書類破棄のお願い"
        case .destructionSecondReminder: "書類破棄の再度のお願い"
        case .concernReport: "情報提供（窓口あて）"
        case .concernResult: "結果のご報告（情報提供者あて）"
        case .shelterRequest: "緊急一時保護依頼書"
        case .shelterDestruction: "依頼書の処分のお願い（施設あて）"
        }
    }

    /// The staff's text and the exit status.
    static func describe(_ result: ResendResult, request: ResendRequest, deadline: Date) -> (text: String, exitCode: Int32) {
        let caseRef = request.caseID.rawValue
        switch result.found {
        case .unknown: return ("案件 \(caseRef) は台帳にありません。案件番号を確かめてください。\n", 2)
        case .purged:
            return ("案件 \(caseRef) は保存期間を過ぎ、宛先と通知の内容が消去されています。再送はできません。\n", 2)
        case .open, .closed: break
        }
        var text = ""
        if !result.resent.isEmpty {
            text += "案件 \(caseRef)：\(result.resent.count)件の配信を再送の予定に入れました。\n"
            for channel in Channel.allCases {
                let lines = result.resent.filter { $0.channel == channel }
                guard !lines.isEmpty else { continue }
                text += "  \(label(channel))　\(lines.count)件：\(lines.map(\.recipient.rawValue).joined(separator: "、"))\n"
            }
            if !result.readdressed.isEmpty {
                text += "  うち\(result.readdressed.count)件は、名簿（cooperators.csv）の現在の宛先に送ります。\n"
            }
            text += "  期限は \(StatusCommand.format(deadline)) です。稼働中の mimamorid が数秒のうちに送ります。\n"
            text += "  結果は mimamori report \(caseRef) で確かめてください。\n"
        }
        if !result.refusedClosed.isEmpty {
            let ids = result.refusedClosed.map { "\($0.recipient.rawValue)（\(label($0.channel))・\(label($0.kind))）" }
            text += "案件 \(caseRef) は終結しているため、捜索依頼と更新は再送しません（\(result.refusedClosed.count)件：\(ids.joined(separator: "、"))）。\n"
            text += "  終結後に個人情報を送ることはできません。終結のお知らせと書類破棄のお願いは再送できます。\n"
        }
        if result.resent.isEmpty && result.refusedClosed.isEmpty {
            var filters: [String] = []
            if let recipient = request.recipient { filters.append("宛先 \(recipient.rawValue)") }
            if let channel = request.channel { filters.append(label(channel)) }
            filters.append(
                request.states == [.expired] ? "期限切れ" : request.states == [.failed] ? "失敗" : "失敗・期限切れ")
            text += "案件 \(caseRef) には再送できる配信がありません（条件：\(filters.joined(separator: "、"))）。\n"
            text += "  送信中・予定中のものは mimamorid が送ります。状況は mimamori report \(caseRef) で確かめてください。\n"
        }
        return (text, result.resent.isEmpty ? 1 : 0)
    }
}

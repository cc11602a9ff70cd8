import Foundation
import Logging
import MimamoriCore
import Outlets

/// A mail to the operator's alarm address about the service rather than one delivery: an alert
/// that reaches no cooperator, directory rows left out at start. Ids, counts and what to do;
/// never the person's data or a cooperator's name or address.
///
/// Not kept in the ledger: a relay that refuses it is tried again every `retryInterval` until
/// `giveUpAfter`, and the journal line is there from the first moment whatever the mail does.
public struct OperatorNotice: Sendable {
    private let mail: AlarmMail
    private let to: String?
    private let logger: Logger
    var retryInterval: Duration = .seconds(60)
    var giveUpAfter: Duration = .seconds(6 * 3600)

    public init(outlet: EmailOutlet?, from: EmailAddress, to: String?, town: String, logger: Logger) {
        self.mail = AlarmMail(outlet: outlet, from: from, town: town)
        self.to = to
        self.logger = logger
    }

    /// Sends in the background; `key` makes a repeat of the same notice recognisable (Message-ID).
    public func raise(key: String, subject: String, lines: [String]) {
        guard mail.canSend, let to else { return }
        let body = mail.body(lines)
        let (mail, interval, limit, logger) = (mail, retryInterval, giveUpAfter, logger)
        Task {
            let started = ContinuousClock.now
            while true {
                do throws(OutletError) {
                    try await mail.send(to: to, subject: subject, body: body, key: "notice.\(key)")
                    return
                } catch {
                    logger.error(
                        "alarm.unsent",
                        metadata: .keys([.reason: .string(key), .code: "\(error.code)", .retriable: "\(error.isRetriable)"]))
                    guard error.isRetriable, ContinuousClock.now - started < limit else { return }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    /// An alert the family consented to that no cooperator will receive.
    public func unreached(caseID: CaseID, reach: Reach, reason: String) {
        raise(
            key: "unreached.\(caseID)", subject: "【要対応】協力者に届かない事案 \(caseID)",
            lines: [
                "事案 \(caseID) の発見協力依頼は、家族の同意があるのに、どの協力者にも送られません。",
                "",
                "　有効な協力者　\(reach.active)",
                "　地域で除外　　\(reach.count(.skippedArea))",
                "　理由　　　　　\(reason)",
                "",
                "対処: mimamori plan で事案の地域と名簿の地域を確認し、名簿か mimamori.yaml の areas を直してください。",
                "直した後は警察側に更新（updated）の送信を依頼するか、協力者に電話などで直接お知らせください。",
            ])
    }

    /// Directory rows left out when the daemon started: those cooperators get nothing.
    public func refusedRows(_ rows: [CooperatorDirectory.RowProblem], file: String) {
        let list = rows.prefix(50).map { "　\($0.line) 行目 \($0.id ?? "-")　\($0.message)" }
        raise(
            key: "refused-rows.\(rows.count).\(rows.first?.line ?? 0)", subject: "【要対応】協力者名簿の \(rows.count) 行が使われていません",
            lines: [
                "\(file) のうち次の \(rows.count) 行は読み取れないため、通知の宛先から外れています。", "",
            ] + list + (rows.count > 50 ? ["　ほか \(rows.count - 50) 行"] : []) + [
                "", "対処: 名簿を直して mimamori check-config で確かめ、systemctl reload mimamorid で読み込ませてください。",
            ])
    }
}

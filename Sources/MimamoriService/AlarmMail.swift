import Foundation
import MimamoriCore
import Outlets

/// The one sender of alarm mail to the operator and the staff: the delivery and channel alarms
/// (`EmailOperatorAlarm`), the case alarms the ledger owes (`CaseAlarmService`) and the notices
/// about the service (`OperatorNotice`) all go out through it, with the same sender, the same
/// opening line and a Message-ID made from the alarm's key, so a mail sent again is recognised.
///
/// Each caller keeps its own answer to a refusal (owed in the ledger, kept in memory, given up
/// for good) and its own journal line: this only composes and hands over.
struct AlarmMail: Sendable {
    let outlet: EmailOutlet?
    let from: EmailAddress
    let town: String

    /// Whether there is a relay at all; without one the journal line is the alarm.
    var canSend: Bool { outlet != nil }

    /// The body: who sends it, a blank line, then `lines`.
    func body(_ lines: [String]) -> String {
        "\(town) 見守りシステム（mimamorid）からの自動通知です。\n\n" + lines.joined(separator: "\n")
    }

    /// Hands one mail to the relay; returns at once when there is none.
    func send(to address: String, subject: String, body: String, key: String) async throws(OutletError) {
        guard let outlet else { return }
        try await outlet.send(
            EmailMessage(from: from, to: EmailAddress(address), subject: subject, body: body, idempotencyKey: key, date: Date()))
    }
}

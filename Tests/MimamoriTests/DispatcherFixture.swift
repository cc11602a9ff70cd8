import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// A fixed point in time, whole milliseconds.
let t0 = Date(timeIntervalSince1970: 1_795_000_000)

/// A ledger on a real SQLite file in a fresh temporary directory.
struct LedgerFile {
    let directory: URL
    let path: String
    let ledger: Ledger

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dispatcher-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.sqlite").path
        ledger = try Ledger(path: path)
    }

    func reopen() throws -> Ledger { try Ledger(path: path) }
    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// An alert to `fax` fax and `email` email recipients (and the radio if asked), as the core plans it.
func alertIntake(
    case caseID: CaseID = CaseID("KN-0042"), fax: Int, email: Int, radio: Bool = false, at: Date = t0,
    deadline: TimeInterval = 4 * 3600
) -> Intake {
    var notices: [Intake.Notice] = []
    var deliveries: [Intake.Delivery] = []
    var channels: [(Channel, Int)] = [(.fax, fax), (.email, email)]
    if radio { channels.append((.radio, 1)) }
    for (channel, count) in channels where count > 0 {
        notices.append(Intake.Notice(revision: 1, kind: .alert, channel: channel, content: Data("notice".utf8)))
        for i in 0..<count {
            let recipient = channel == .radio ? RecipientID.radio : RecipientID("\(channel.rawValue)-\(i)")
            deliveries.append(
                Intake.Delivery(
                    PlannedDelivery(caseID: caseID, revision: 1, recipient: recipient, channel: channel, kind: .alert, notBefore: at),
                    address: "\(recipient)@example.jp", deadline: at.addingTimeInterval(deadline)))
        }
    }
    return Intake(
        messageID: UUID().uuidString, caseID: caseID, municipality: "kimino", sequence: 1, eventKind: "opened",
        receivedAt: at, body: Data("{}".utf8), state: CaseSnapshot(name: "opened", data: Data("{}".utf8)),
        notices: notices, deliveries: deliveries)
}

/// Polls `condition` every few milliseconds of real time until it holds or `timeout` passes;
/// returns whether it held. With a manual clock, moves it by `step` seconds whenever the
/// dispatcher is idle (waiting on the clock, nothing in `sending` in `ledger`), so simulated time
/// never runs ahead of work the machine has not done yet.
func eventually(
    timeout: Duration = .seconds(30), advancing clock: ManualClock? = nil, step: TimeInterval = 0,
    idle ledger: Ledger? = nil, _ condition: () async throws -> Bool
) async throws -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if try await condition() { return true }
        if let clock, step > 0, clock.sleeperCount > 0 {
            let sending = try await ledger?.states()[.sending] ?? 0
            if sending == 0 { clock.advance(by: step) }
        }
        try await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

extension Ledger {
    func states(_ caseID: CaseID = CaseID("KN-0042")) async throws -> [DeliveryState: Int] {
        var result: [DeliveryState: Int] = [:]
        for line in try await report(case: caseID) { result[line.state, default: 0] += 1 }
        return result
    }
}

import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

/// A ledger backend the conformance suite runs every test body against. Each body is written
/// against the role protocols (`CaseLedger`); adding a backend is one line in `all`.
struct LedgerBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// A fresh, empty ledger of this backend.
    var open: @Sendable () async throws -> LedgerFixture

    static let all: [LedgerBackend] = [.sqlite, .postgres]

    /// The daemon's ledger: GRDB on a real SQLite file in WAL mode.
    static let sqlite = LedgerBackend(name: "sqlite") {
        let file = try SQLiteLedgerFile()
        return LedgerFixture(
            ledger: file.ledger, reopen: { try file.reopen() }, storedBytes: { file.storedBytes() }, remove: { file.remove() })
    }

    /// The same roles on the private PostgreSQL server (`scripts/postgres-node.sh`), a fresh
    /// database for each test, dropped after it.
    static let postgres = LedgerBackend(name: "postgres") {
        let database = try PostgresServer.fromEnvironment().createDatabase()
        let ledger = try await PostgresLedger(url: database.url)
        return LedgerFixture(
            ledger: ledger, reopen: { try await PostgresLedger(url: database.url) }, storedBytes: { database.storedBytes() },
            remove: {
                ledger.close()
                database.drop()
            })
    }

    var testDescription: String { name }
}

/// One ledger under test, whatever its backend.
struct LedgerFixture: Sendable {
    let ledger: any CaseLedger
    /// The same ledger opened again, as a restarted daemon opens it.
    let reopen: @Sendable () async throws -> any CaseLedger
    /// Every byte the backend keeps on disk, old copies included (for SQLite the file, its WAL,
    /// its shared-memory index and a rollback journal): purged data must be in none of them.
    let storedBytes: @Sendable () -> [Data]
    let remove: @Sendable () -> Void

    /// How often `needle` occurs in the stored bytes.
    func hits(of needle: String) -> Int {
        let pattern = Data(needle.utf8)
        var count = 0
        for bytes in storedBytes() {
            var range = bytes.startIndex..<bytes.endIndex
            while let found = bytes.range(of: pattern, in: range) {
                count += 1
                range = found.upperBound..<bytes.endIndex
            }
        }
        return count
    }
}

/// A ledger on a real SQLite file in a fresh temporary directory: the SQLite backend, and the
/// SQLite-only tests (durability settings, a writer killed mid-transaction).
struct SQLiteLedgerFile: Sendable {
    let directory: URL
    let path: String
    let ledger: Ledger

    init(synchronous: Ledger.Synchronous = .full) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.sqlite").path
        ledger = try Ledger(path: path, configuration: .init(synchronous: synchronous))
    }

    func reopen() throws -> Ledger { try Ledger(path: path) }

    func storedBytes() -> [Data] {
        ["", "-wal", "-shm", "-journal"].compactMap { FileManager.default.contents(atPath: path + $0) }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Personal data the tests look for in the file after purge.
enum Person {
    static let name = "見守太郎テスト"
    static let description = "紺色のジャンパー、灰色のズボン、白い運動靴"
}

/// A fixed point in time, whole milliseconds.
let t0 = Date(timeIntervalSince1970: 1_795_000_000)

/// Builds an intake like the core would: alert (or another kind) to `fax` fax recipients,
/// `email` email recipients and optionally the radio.
func makeIntake(
    case caseID: CaseID = CaseID("KN-0042"), messageID: String = UUID().uuidString, sequence: Int = 1,
    eventKind: String = "opened", kind: NoticeKind = .alert, fax: Int = 14, email: Int = 67, radio: Bool = true,
    at: Date = t0, notBefore: Date? = nil, deadline: TimeInterval = 4 * 3600, closed: Bool = false,
    cancel: Set<NoticeKind> = [], confirmations: ConfirmationSigner? = nil
) -> Intake {
    let body = Data("{\"name\":\"\(Person.name)\",\"clothing\":\"\(Person.description)\"}".utf8)
    var channels: [(Channel, Int)] = [(.fax, fax), (.email, email)]
    if radio { channels.append((.radio, 1)) }
    var notices: [Intake.Notice] = []
    var deliveries: [Intake.Delivery] = []
    for (channel, count) in channels where count > 0 {
        let content =
            kind.carriesPersonalData
            ? Data("\(channel.rawValue): \(Person.name) \(Person.description)".utf8)
            : Data("\(channel.rawValue): \(kind.rawValue) \(caseID)".utf8)
        notices.append(Intake.Notice(revision: sequence, kind: kind, channel: channel, content: content))
        for i in 0..<count {
            let recipient = channel == .radio ? RecipientID.radio : RecipientID("coop-\(channel.rawValue)-\(i)")
            let address =
                switch channel {
                case .fax: "0736-\(String(format: "%02d", i % 100))-\(1000 + i)"
                case .email: "volunteer\(i)@example.jp"
                case .radio: "gateway"
                }
            let planned = PlannedDelivery(
                caseID: caseID, revision: sequence, recipient: recipient, channel: channel, kind: kind,
                notBefore: notBefore ?? at)
            deliveries.append(
                Intake.Delivery(
                    planned, address: address, deadline: (notBefore ?? at).addingTimeInterval(deadline),
                    confirmation: confirmations?.code(for: planned)))
        }
    }
    return Intake(
        messageID: messageID, caseID: caseID, municipality: "kimino", sequence: sequence, eventKind: eventKind,
        receivedAt: at, body: body,
        state: CaseSnapshot(
            name: closed ? "closed" : eventKind, data: Data("{\"seq\":\(sequence),\"who\":\"\(Person.name)\"}".utf8),
            closedAt: closed ? at : nil),
        notices: notices, deliveries: deliveries, cancelKinds: cancel)
}

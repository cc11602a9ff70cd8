import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriService
import Outlets
import Synchronization
import TestFixtures
import Testing

/// The registry's daily pass against a real ledger, key store and SMTP server: the lapsed
/// registration purged with its key, one list to staff naming whom to call, sent once, and
/// owed again when the relay refused it.
@Suite("ReconfirmationService")
struct ReconfirmationServiceTests {
    static let staff = "fukushi@town.example.jp"

    static func registration(_ id: String, confirmed: LocalDate, registrant: String) -> Registration {
        Registration(
            id: RegistrationID(id),
            person: .init(name: "氏名\(id)", nameKana: "しめい", sex: .female, dateOfBirth: LocalDate(1944, 5, 12)),
            registrant: .init(name: registrant, relation: "長女", phone: "090-1111-2222"), registeredOn: confirmed)
    }

    /// 10:00 on the town's clock.
    static func morning(_ day: LocalDate, hour: Int = 10) -> Date { JapaneseCalendar.instant(day, TimeOfDay(hour: hour, minute: 0)) }

    @Test("purges the lapsed, mails one list, marks it, and sends nothing more that day")
    func dailyPass() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let keysPath = file.directory.appendingPathComponent("registry-keys.sqlite").path
        let registry = Registry(
            store: file.ledger, keys: try RegistryKeyStore(path: keysPath),
            vault: try RegistryVault(credential: RegistryVault.newCredential()))
        // Due 2027-04-01 (coming due on 3/15), due 2027-03-01 (overdue), due 2027-01-01 (lapsed on 3/3).
        try await registry.add(Self.registration("R2026-0001", confirmed: LocalDate(2026, 4, 1), registrant: "紀美野 一郎"), by: "test", at: t0)
        try await registry.add(Self.registration("R2026-0002", confirmed: LocalDate(2026, 3, 1), registrant: "野上 幸子"), by: "test", at: t0)
        try await registry.add(Self.registration("R2026-0003", confirmed: LocalDate(2026, 1, 1), registrant: "美里 次郎"), by: "test", at: t0)

        let server = try SMTPServer()
        defer { server.stop() }
        let now = Mutex(Self.morning(LocalDate(2027, 3, 15)))
        let service = ReconfirmationService(
            registry: registry, outlet: try EmailOutlet(configuration: .init(url: server.url, sessions: 1), logger: Logger(label: "test")),
            from: EmailAddress(parsing: "見守町 福祉課 <sos@town.example.jp>"), town: "紀美野町",
            settings: {
                var c = Configuration(
                    municipality: "kimino", town: .init(name: "紀美野町", department: "保健福祉課", phone: "073-489-5901"),
                    email: .init(from: "sos@town.example.jp"))
                c.registry = Configuration.Registry()
                c.staff.emails = [Self.staff]
                return .init(configuration: c)
            }, clock: { now.withLock { $0 } }, logger: Logger(label: "test"))

        await service.pass()
        #expect(try await registry.registration(RegistrationID("R2026-0003")) == nil)
        #expect(try await registry.keys.keys().keys.sorted() == [RegistrationID("R2026-0001"), RegistrationID("R2026-0002")])
        var mails = try server.received()
        try #require(mails.count == 1)
        #expect(mails[0].rcpt_tos == [Self.staff])
        let decoded = try #require(mails[0].decoded)
        #expect(decoded.subject == "【登録確認】事前登録の年次確認 2件（期限切れ 1件）")
        let body = try #require(decoded.body)
        #expect(body.contains("・R2026-0002　登録 2026年3月1日（日）　確認期限 2027年3月1日（月）　届出者 野上 幸子（長女） 090-1111-2222"))
        #expect(body.contains("R2026-0001") && body.contains("紀美野 一郎"))
        #expect(!body.contains("R2026-0003") && !body.contains("美里 次郎"))
        // The person's own name is not on the list: the call goes to the registrant.
        #expect(!body.contains("氏名R2026-0001"))

        // The same day again, and the next morning: nothing more is owed.
        await service.pass()
        now.withLock { $0 = Self.morning(LocalDate(2027, 3, 16)) }
        await service.pass()
        #expect(server.receivedCount() == 1)

        // R2026-0001 falls overdue on 4/2; the relay refuses staff that day: the list stays owed.
        try server.refuse([Self.staff])
        now.withLock { $0 = Self.morning(LocalDate(2027, 4, 2)) }
        await service.pass()
        #expect(server.receivedCount() == 1)
        try server.refuse([])
        // Before the hour nothing goes; at it, the owed list does.
        now.withLock { $0 = Self.morning(LocalDate(2027, 4, 5), hour: 8) }
        await service.pass()
        #expect(server.receivedCount() == 1)
        now.withLock { $0 = Self.morning(LocalDate(2027, 4, 5)) }
        await service.pass()
        mails = try server.received()
        try #require(mails.count == 2)
        #expect(mails[1].decoded?.subject == "【登録確認】事前登録の年次確認 1件（期限切れ 1件）")
        #expect(mails[1].decoded?.body?.contains("R2026-0001") == true)

        let audit = try await file.ledger.registryAudit(nil).map { "\($0.action) \($0.registrationID?.rawValue ?? "-") \($0.reason ?? "")" }
        #expect(audit.contains("purged R2026-0003 lapsed"))
        #expect(audit.filter { $0.hasPrefix("reminded") }.count == 3)
    }
}

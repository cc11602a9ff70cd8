import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets
import ServiceLifecycle

/// The registry's daily duties: purge the registrations nobody reconfirmed within
/// `registry.grace` after their due date, and mail the staff one list of those coming due and
/// those overdue (要綱 第6条第6項). A reminder is marked sent only once the relay took the list,
/// so a crash or a down relay sends it again (same Message-ID for the day), never skips it.
///
/// The list names each registrant (the staff phone them); the journal gets ids and counts only.
public final class ReconfirmationService: Service, Sendable {
    /// What a pass works with, read at each pass (SIGHUP may change it).
    public struct Settings: Sendable {
        public var registry: Configuration.Registry
        public var staff: [String]
        public var businessDaysOnly: Bool
        public init(configuration: Configuration) {
            registry = configuration.registry ?? Configuration.Registry()
            staff = configuration.staffAlarmRecipients
            businessDaysOnly = configuration.reminders.businessDaysOnly
        }
    }

    private let registry: Registry
    private let mail: AlarmMail
    private let settings: @Sendable () -> Settings
    private let interval: Duration
    private let clock: @Sendable () -> Date
    private let logger: Logger

    public init(
        registry: Registry, outlet: EmailOutlet?, from: EmailAddress, town: String, settings: @escaping @Sendable () -> Settings,
        interval: Duration = .seconds(600), clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.registry = registry
        self.mail = AlarmMail(outlet: outlet, from: from, town: town)
        self.settings = settings
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pass()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// One pass (what `run` repeats): the purge, then the day's list if it is time and anything
    /// is owed. Tests call it with their own clock.
    public func pass() async {
        let now = clock()
        let settings = self.settings()
        let today = JapaneseCalendar.localDate(of: now)
        do throws(RegistryError) {
            let purged = try await registry.purgeLapsed(today: today, grace: settings.registry.grace, at: now)
            for id in purged {
                logger.notice("registry.purged", metadata: .keys([.registration: "\(id)", .reason: "lapsed"]))
            }
            guard ReconfirmationList.isSendingTime(now, at: settings.registry.remindAt, businessDaysOnly: settings.businessDaysOnly)
            else { return }
            try await remind(today: today, now: now, settings: settings)
        } catch {
            logger.error("registry.error", metadata: .keys([.code: .string(error.code), .reason: .string(error.description)]))
        }
    }

    private func remind(today: LocalDate, now: Date, settings: Settings) async throws(RegistryError) {
        let stored: [StoredRegistration]
        do {
            stored = try await registry.store.registrations()
        } catch {
            throw .ledger(error)
        }
        var entries: [ReconfirmationList.Entry] = []
        for row in stored {
            guard
                let stage = Reconfirmation.reminderOwed(
                    confirmedOn: row.confirmedOn, today: today, remindDays: settings.registry.remindDays,
                    remindedDueSoon: row.remindedDueSoon, remindedOverdue: row.remindedOverdue)
            else { continue }
            // The registrant's name and phone are in the sealed record: opened for the list only.
            guard let registration = try await registry.registration(row.id) else { continue }
            entries.append(
                .init(
                    id: row.id, stage: stage, registeredOn: row.registeredOn, due: row.reconfirmationDue,
                    registrant: registration.registrant))
        }
        guard !entries.isEmpty else { return }
        let list = ReconfirmationList(day: today, entries: entries)
        func listed(_ stage: Reconfirmation.Stage) -> [RegistrationID: LocalDate] {
            Dictionary(entries.filter { $0.stage == stage }.map { ($0.id, $0.due) }, uniquingKeysWith: { first, _ in first })
        }
        let dueSoon = listed(.dueSoon)
        let overdue = listed(.overdue)
        logger.notice(
            "registry.reconfirmation",
            metadata: .keys([.count: "\(entries.count)", .dueSoon: "\(dueSoon.count)", .overdue: "\(overdue.count)"]))
        if mail.canSend, !settings.staff.isEmpty {
            let (subject, lines) = list.message(remindDays: settings.registry.remindDays, grace: settings.registry.grace)
            do throws(OutletError) {
                for address in settings.staff {
                    try await mail.send(
                        to: address, subject: subject, body: mail.body(lines) + "\n", key: "registry-reconfirmation.\(today)")
                }
            } catch {
                logger.error(
                    "registry.reconfirmation-unsent", metadata: .keys([.code: "\(error.code)", .retriable: "\(error.isRetriable)"]))
                return
            }
        }
        // Without a relay or staff the journal line is the reminder (check-config warns of it).
        do {
            try await registry.store.markReconfirmationReminded(dueSoon, stage: .dueSoon, at: now)
            try await registry.store.markReconfirmationReminded(overdue, stage: .overdue, at: now)
        } catch {
            throw .ledger(error)
        }
    }
}

import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon

/// `mimamori route REPORT --at TIME`: which desks a concern report would reach at that time,
/// the rule that chose them and every address it would go to, for staff checking their table
/// (`concerns:` of the settings). `--week` or `--table FROM --days N` prints the table of a
/// report's area day by day around the opening and closing times, to paste into a review.
/// Decided by `Configuration.Concerns.contactDesks`, the rule the daemon uses; nothing is sent.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Show which desks a concern report would reach at a time, and why (nothing is sent).")

    @Argument(help: "A concern report (JSON or YAML, schema mimamori.concern/1); its subject's area and urgent are used.")
    var report: String?

    @Option(help: "The time: RFC 3339 (2026-12-02T17:59:00+09:00) or a time in Japan (\"2026-12-02 17:59\"); default now.")
    var at: String?

    @Option(help: "The subject's area, instead of (or over) the report's.")
    var area: String?

    @Flag(help: "As an urgent report (緊急対応あり), instead of (or over) the report's.")
    var urgent = false

    @Flag(help: "The table for the week (Monday to Sunday) that holds --at.")
    var week = false

    @Option(help: "The table from this day (2026-11-20), for --days days.")
    var table: String?

    @Option(help: "Days in the table (with --table).")
    var days = 7

    @OptionGroup var options: ConfigOption

    func validate() throws {
        if let table, townDate(table) == nil { throw ValidationError("--table must be a day, e.g. 2026-11-20, not '\(table)'") }
        if !(1...62).contains(days) { throw ValidationError("--days must be 1 to 62") }
        if week && table != nil { throw ValidationError("give --week or --table, not both") }
    }

    func run() async throws {
        let files = try options.loadSettings()
        guard let concerns = files.configuration.concerns else {
            printError("この設定には concerns: がありません（情報提供の届け先が決まっていません）")
            throw ExitCode.failure
        }
        let input = try reportInput()
        let instant = try townInstant(at, option: "--at")
        let router = ConcernRouter(concerns: concerns, areas: files.configuration.areas)
        if week || table != nil {
            let first: LocalDate
            if let table, let day = townDate(table) {
                first = day
            } else {
                let day = JapaneseCalendar.localDate(of: instant)
                first = day.adding(days: -((day.weekday + 6) % 7))
            }
            print(router.table(area: input.area, urgent: input.urgent, from: first, days: week ? 7 : days), terminator: "")
        } else {
            print(router.explain(input, at: instant), terminator: "")
        }
    }

    /// The report's area, urgency and reference, with `--area` and `--urgent` over them. A
    /// draft that would not pass the decoder still has a route; staff are told it needs fixing.
    func reportInput() throws -> ConcernRouter.Input {
        var input = ConcernRouter.Input(reportID: nil, area: nil, urgent: false)
        if let report {
            let body = try ConcernEventFile.json(report)
            do {
                let event = try ConcernEvent.decode(body)
                input = ConcernRouter.Input(reportID: event.reportID, area: event.subject?.area, urgent: event.urgent)
            } catch {
                printError("注意: \(report) はこのままでは送れません（\(error.reason)）。地域と緊急対応の有無だけで届け先を示します。")
                let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
                let subject = object?["subject"] as? [String: Any]
                input = ConcernRouter.Input(
                    reportID: (object?["reportId"] as? String).flatMap { CaseID.isValid($0) ? CaseID($0) : nil },
                    area: subject?["area"] as? String, urgent: object?["urgent"] as? Bool ?? false)
            }
        }
        if let area { input.area = area }
        if urgent { input.urgent = true }
        return input
    }
}

import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori`: the operator's tool next to the daemon (design 3.4). Each subcommand lives in its
/// own file.
@main
struct Mimamori: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mimamori",
        abstract: "見守り: tools for the missing-person notice daemon (mimamorid).",
        subcommands: [
            CheckConfigCommand.self, PlanCommand.self, RenderCommand.self, KeygenCommand.self, PublishCommand.self, StatusCommand.self,
            ReportCommand.self, DrillReportCommand.self, ResendCommand.self, DeadLettersCommand.self, ReleaseCommand.self,
            RouteCommand.self, ConcernCommand.self,
            ShelterCommand.self, RegistryCommand.self, ConfirmCommand.self,
        ])
}

/// `--config FILE`, shared by every subcommand (default `$MIMAMORI_CONFIG` or /etc/mimamori/mimamori.yaml).
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Settings file (default: $MIMAMORI_CONFIG or /etc/mimamori/mimamori.yaml).")
    var config: String?
}

extension ConfigOption {
    /// The settings, or every problem on stderr and a failing exit.
    func loadSettings() throws -> SettingsFiles {
        do {
            return try SettingsFiles.load(configPath: SettingsFiles.configPath(config))
        } catch {
            for problem in error.problems { printError(problem) }
            throw ExitCode.failure
        }
    }
}

/// A case event file as the police side would publish it, or its problem on stderr.
func readCaseEvent(_ path: String) throws -> CaseEvent {
    do {
        return try CaseEvent.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        printError("\(path): \(error)")
        throw ExitCode.failure
    }
}

/// An `--at`/`--now` option: RFC 3339 with an offset, or now.
func instant(_ text: String?, option: String) throws -> Date {
    guard let text else { return Date() }
    guard let parsed = Timestamp.parse(text) else {
        throw ValidationError("\(option) must be RFC 3339 with an offset, e.g. 2026-11-27T16:05:00+09:00")
    }
    return parsed
}

import ArgumentParser

/// `mimamori`: the operator's tool next to the daemon (design 3.4). Each subcommand lives in its
/// own file.
@main
struct Mimamori: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mimamori",
        abstract: "見守り: tools for the missing-person notice daemon (mimamorid).",
        subcommands: [
            CheckConfigCommand.self, RenderCommand.self, KeygenCommand.self, PublishCommand.self, StatusCommand.self,
            ReportCommand.self, ResendCommand.self, DeadLettersCommand.self,
        ])
}

/// `--config FILE`, shared by every subcommand (default `$MIMAMORI_CONFIG` or /etc/mimamori/mimamori.yaml).
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Settings file (default: $MIMAMORI_CONFIG or /etc/mimamori/mimamori.yaml).")
    var config: String?
}

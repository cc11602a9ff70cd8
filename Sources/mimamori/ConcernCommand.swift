import ArgumentParser

/// `mimamori concern …`: concern reports (情報提供, みまさかほっとネット) as staff work with them.
struct ConcernCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concern",
        abstract: "Concern reports (情報提供): the call-back list and recording a call made.",
        subcommands: [ConcernCallbacksCommand.self, ConcernCalledBackCommand.self])
}

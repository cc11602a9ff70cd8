import Testing

@testable import MimamoriCore

@Suite("Configuration reload")
struct ConfigurationReloadTests {
    @Test func liveKeysApplyAndTheOthersKeepTheirRunningValue() throws {
        let running = try Sample.configuration()
        var file = running
        file.municipality = "elsewhere"
        file.email.smtp = "smtp://relay.example.jp:25"
        file.retry.max = .seconds(1200)
        file.retention = .seconds(60 * 86400)
        file.town.network = "新しいネットワーク名"
        file.radio?.quietHours = QuietHours(from: TimeOfDay(hour: 22, minute: 0), to: TimeOfDay(hour: 6, minute: 0), policy: .defer)
        file.radio?.capURL = "http://127.0.0.1:9999/cap"
        let (applied, needed) = running.reloaded(from: file)
        #expect(needed.map(\.key) == ["municipality", "email.smtp", "radio.cap-url"])
        #expect(applied.municipality == running.municipality && applied.email.smtp == running.email.smtp)
        #expect(applied.radio?.capURL == running.radio?.capURL)
        #expect(applied.retry.max == .seconds(1200) && applied.retention == .seconds(60 * 86400))
        #expect(applied.town.network == "新しいネットワーク名" && applied.radio?.quietHours.from == TimeOfDay(hour: 22, minute: 0))
    }

    @Test func theTownsNameAppliesToNoticesAndSaysWhatWaitsForARestart() throws {
        let running = try Sample.configuration()
        var file = running
        file.town.name = "新町"
        let (applied, needed) = running.reloaded(from: file)
        #expect(applied.town.name == "新町")
        #expect(needed.map(\.key) == ["town.name"] && needed[0].reason.contains("after a restart"))
    }

    @Test func addingOrRemovingTheRadioNeedsARestart() throws {
        let running = try Sample.configuration()
        var file = running
        file.radio = nil
        let (applied, needed) = running.reloaded(from: file)
        #expect(applied.radio != nil && needed.map(\.key) == ["radio"])
        #expect(running.reloaded(from: running).restartNeeded.isEmpty)
    }
}

import ArgumentParser
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori check-config`: parse settings, directory, templates and publisher keys; print every
/// problem; exit non-zero if there is any.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check mimamori.yaml, cooperators.csv, template overrides and publisher keys; report every problem.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let path = SettingsFiles.configPath(options.config)
        let files: SettingsFiles
        do {
            files = try SettingsFiles.load(configPath: path)
        } catch {
            for problem in error.problems { printError(problem) }
            throw ExitCode.failure
        }
        for problem in files.problems { printError(problem) }
        let c = files.configuration
        let active = files.directory.active
        let radio = c.radio.map { "configured, quiet hours \($0.quietHours.from)–\($0.quietHours.to) (\($0.quietHours.policy.rawValue))" }
        print(
            """
            settings: \(path) (municipality \(c.municipality), sender \(c.town.head) / \(c.town.department))
            areas: \(c.areas.areas.count) in the tree under \(c.town.name)\(c.areas.areas.count == 1 ? " (no areas: in mimamori.yaml; every directory area is unknown and asks for every case)" : "")
            cooperators: \(files.directory.cooperators.count) usable rows; active: \(active.filter { $0.channel == .fax }.count) FAX, \(active.filter { $0.channel == .email }.count) email
            radio: \(radio ?? "not configured")
            publisher keys: \(files.publisherKeys.keyIDs.isEmpty ? "none" : files.publisherKeys.keyIDs.joined(separator: ", "))
            partners: \(Self.partners(c))
            """)
        for line in Self.otherTownRows(c, directory: files.directory) { print(line) }
        // Not problems (such a row is asked for every case, never skipped), but a misspelt or
        // too-fine area means the town's refinement does nothing for that row.
        for area in files.unknownAreas { print("warning: \(c.cooperators): \(area)") }
        if !files.unknownAreas.isEmpty {
            print("warning: \(files.unknownAreas.count) directory area(s) unknown to the area tree: those rows are asked for every case")
        }
        for warning in files.configuration.settingsWarnings { print("warning: \(warning)") }
        if !files.problems.isEmpty {
            printError("\(files.problems.count) problem(s)")
            throw ExitCode.failure
        }
        print("ok")
    }

    static func partners(_ c: Configuration) -> String {
        guard !c.partners.isEmpty else { return "none" }
        return c.partners.keys.sorted().map { town in
            switch c.partners[town]! {
            case .ownDaemon:
                "\(town) (its own mimamorid: our consented cases are forwarded to mimamori.\(c.municipality).to-\(town), its own accepted)"
            case .ourDirectory: "\(town) (no mimamorid: its rows in our directory are alerted by us, with consent)"
            }
        }.joined(separator: ", ")
    }

    /// Rows of other towns in the directory, and who tells them.
    static func otherTownRows(_ c: Configuration, directory: CooperatorDirectory) -> [String] {
        var rows: [String: Int] = [:]
        for cooperator in directory.active where cooperator.municipality != c.municipality {
            rows[cooperator.municipality, default: 0] += 1
        }
        return rows.keys.sorted().map { town in
            let count = rows[town]!
            return switch c.partners[town] {
            case .ownDaemon?:
                "note: \(c.cooperators): \(count) row(s) of \(town) are alerted by \(town)'s own mimamorid, never by this one"
            case .ourDirectory?:
                "note: \(c.cooperators): \(count) row(s) of \(town) are alerted by this daemon, only with consent.partnerTowns"
            case nil:
                "warning: \(c.cooperators): \(count) row(s) of \(town), which partners: does not name, are alerted on our cases with consent.partnerTowns; name it under partners: (own-daemon if it runs mimamorid, else our-directory)"
            }
        }
    }
}

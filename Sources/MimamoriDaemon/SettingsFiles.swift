import Foundation
import MimamoriCore
import MimamoriService

/// Reads the files of design 3.3 from disk and hands their contents to the pure parsers of
/// `MimamoriCore` (which does no I/O). Used by `mimamori check-config`, `mimamori render` and the
/// daemon (at start and on SIGHUP).
public struct SettingsFiles: Sendable {
    /// `--config`, else `$MIMAMORI_CONFIG`, else `/etc/mimamori/mimamori.yaml`.
    public static func configPath(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        option ?? environment["MIMAMORI_CONFIG"] ?? "/etc/mimamori/mimamori.yaml"
    }

    public var configuration: Configuration
    public var directory: CooperatorDirectory
    public var templates: NoticeTemplates
    public var publisherKeys: PublisherKeys
    /// Every problem found, each naming its file (and key path or line). Empty: all good.
    public var problems: [String]
    /// Why the directory cannot be used at all (unreadable, a wrong header, no usable active row
    /// of the town): the daemon does not start on it, and a reload keeps the old one.
    public var directoryRefusal: String?
    /// Directory rows left out (each also in `problems`).
    public var refusedRows: [CooperatorDirectory.RowProblem] = []
    /// Directory areas the area tree does not know: not problems (those rows are asked for every
    /// case), but worth correcting.
    public var unknownAreas: [CooperatorDirectory.UnknownArea] = []

    /// On a reload: keys whose new value needs a restart; they keep the running value.
    public var restartNeeded: [Configuration.RestartNeeded] = []

    /// Loads everything, collecting problems instead of stopping at the first. Throws only when
    /// the settings themselves cannot be read or parsed (nothing else can be found without them).
    /// `running`: the settings in force, on a reload; keys it cannot take live keep their running
    /// value (`restartNeeded`), and the directory is checked against what is really in force.
    public static func load(configPath: String, running: Configuration? = nil) throws(SettingsFilesError) -> SettingsFiles {
        let text: String
        do {
            text = try String(contentsOfFile: configPath, encoding: .utf8)
        } catch {
            throw SettingsFilesError(problems: ["\(configPath): cannot read (\(Self.reason(error)))"])
        }
        var configuration: Configuration
        do {
            configuration = try Configuration.parse(yaml: text)
        } catch {
            throw SettingsFilesError(problems: error.problems.map { "\(configPath): \($0)" })
        }
        var restartNeeded: [Configuration.RestartNeeded] = []
        if let running { (configuration, restartNeeded) = running.reloaded(from: configuration) }
        var problems: [String] = []

        var directory = CooperatorDirectory()
        var directoryRefusal: String?
        var refusedRows: [CooperatorDirectory.RowProblem] = []
        var unknownAreas: [CooperatorDirectory.UnknownArea] = []
        if let data = FileManager.default.contents(atPath: configuration.cooperators) {
            do {
                let check = CooperatorDirectory.check(try CooperatorDirectory.load(csv: data), configuration: configuration)
                directory = check.directory
                directoryRefusal = check.refusal
                refusedRows = check.refusedRows
                unknownAreas = check.unknownAreas
                problems += refusedRows.map { Self.text(of: $0, in: configuration.cooperators) }
            } catch {
                directoryRefusal = "\(error)"
            }
        } else {
            directoryRefusal = "cannot read the file (cooperators in mimamori.yaml)"
        }
        if let directoryRefusal { problems.append("\(configuration.cooperators): \(directoryRefusal)") }

        var templates = NoticeTemplates.builtIn
        if let folder = configuration.templates {
            var overrides: [String: String] = [:]
            // A missing override folder is fine: the built-in templates apply.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where name.hasSuffix(".mustache") {
                let path = (folder as NSString).appendingPathComponent(name)
                if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                    overrides[String(name.dropLast(".mustache".count))] = text
                } else {
                    problems.append("\(path): cannot read as UTF-8")
                }
            }
            do {
                templates = try NoticeTemplates(overrides: overrides)
            } catch {
                problems += error.problems.map { "\(folder)/\($0.name).mustache: \($0.message)" }
            }
        }

        var keys = PublisherKeys()
        let keyFolder = configuration.publishers.keys
        if let names = try? FileManager.default.contentsOfDirectory(atPath: keyFolder) {
            for name in names.sorted() {
                guard let id = PublisherKeys.keyID(forFileName: name) else { continue }
                let path = (keyFolder as NSString).appendingPathComponent(name)
                do {
                    try keys.add(keyID: id, fileContents: try String(contentsOfFile: path, encoding: .utf8))
                } catch let error as PublisherKeyError {
                    problems.append("\(path): \(error)")
                } catch {
                    problems.append("\(path): cannot read (\(Self.reason(error)))")
                }
            }
        }
        keys.loadTownLimits(folder: keyFolder, problems: &problems)
        if configuration.publishers.requireSignature, keys.keyIDs.isEmpty {
            problems.append(
                "\(keyFolder): no <key-id>.pub files, but publishers.require-signature is true: every event would be dead-lettered")
        }
        return SettingsFiles(
            configuration: configuration, directory: directory, templates: templates, publisherKeys: keys, problems: problems,
            directoryRefusal: directoryRefusal, refusedRows: refusedRows, unknownAreas: unknownAreas,
            restartNeeded: restartNeeded)
    }

    /// A refused row as check-config and the reload print it.
    public static func text(of row: CooperatorDirectory.RowProblem, in path: String) -> String {
        "\(path): line \(row.line)" + (row.id.map { " (\($0))" } ?? "") + ": \(row.message)"
    }

    /// The problems that are not refused directory rows (those have lines of their own).
    public var problemsBesideRows: [String] {
        let rows = Set(refusedRows.map { Self.text(of: $0, in: configuration.cooperators) })
        return problems.filter { !rows.contains($0) }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

public struct SettingsFilesError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

extension CaseIntake.Settings {
    /// The settings the files hold, as the intake works with them.
    public init(files: SettingsFiles) {
        self.init(
            configuration: files.configuration,
            planner: Planner(configuration: files.configuration, directory: files.directory, templates: files.templates),
            publisherKeys: files.publisherKeys, refusedRows: files.refusedRows.count)
    }
}

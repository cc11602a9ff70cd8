import Foundation
import MimamoriCore

extension PublisherKeys {
    /// Reads every `<key-id>.towns` in the key folder. One that cannot be read limits its key
    /// to nothing (and is a problem): a limit must not fall open.
    mutating func loadTownLimits(folder: String, problems: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names.sorted() {
            guard let id = PublisherKeys.keyID(forTownsFileName: name) else { continue }
            let path = (folder as NSString).appendingPathComponent(name)
            if rawKeys[id] == nil { problems.append("\(path): no \(id).pub beside it") }
            do {
                limit(keyID: id, townsFileContents: try String(contentsOfFile: path, encoding: .utf8))
            } catch {
                limit(keyID: id, townsFileContents: "")
                problems.append("\(path): cannot read (\(error.localizedDescription)); the key is refused for every town")
            }
        }
    }
}

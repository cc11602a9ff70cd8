/// The kana the radio script carries in place of written names (design 4.2: kana readings).
///
/// A text-to-speech engine guesses a place name's reading from its dictionary, and guesses wrong
/// for the names that matter most (紀美野町 becomes キミノマチ). Debian's Open JTalk has no user
/// dictionary tool, so the script itself says きみのちょう: the script staff print and CAP carries
/// is the text the console reads. Email and FAX keep the written names.
///
/// Every written name with a reading is replaced wherever it stands in the script, the template's
/// own text (こちらは、紀美野町役場です) as much as the event's place; the longest name first at
/// each position, so 紀美野町 is not read as 紀美野 + 町 when both have readings.
public struct RadioReadings: Sendable, Hashable {
    public struct Pair: Sendable, Hashable {
        public var written: String
        public var kana: String
    }

    /// Written name → kana, longest name first.
    public let pairs: [Pair]

    public init(_ tree: AreaTree) {
        var seen = Set<String>()
        var pairs: [Pair] = []
        for area in tree.areas {
            guard let kana = tree.reading(of: area) else { continue }
            let written = tree.name(of: area)
            guard !written.isEmpty, seen.insert(written).inserted else { continue }
            pairs.append(Pair(written: written, kana: kana))
        }
        self.pairs = pairs.sorted { $0.written.count != $1.written.count ? $0.written.count > $1.written.count : $0.written < $1.written }
    }

    /// `text` with every written name that has a reading replaced by its kana, in one pass (a
    /// reading is never scanned again).
    public func spoken(_ text: String) -> String {
        guard !pairs.isEmpty else { return text }
        var result = ""
        var rest = Substring(text)
        outer: while let first = rest.first {
            for pair in pairs where rest.hasPrefix(pair.written) {
                result += pair.kana
                rest = rest.dropFirst(pair.written.count)
                continue outer
            }
            result.append(first)
            rest = rest.dropFirst()
        }
        return result
    }
}

/// How a drill's notices say they are one (the design's `drill`: "every notice marked 【訓練】;
/// never mixed with real cases"). The templates place these words (`{{mark}}`, `{{drillSpoken}}`),
/// the FAX banner and the CAP note take them from here: no other place spells the mark.
public struct DrillMark: Sendable, Hashable {
    /// Before every subject, title and sender line, and opening the drill paragraph: 【訓練】.
    public let mark: String
    /// What the radio says at the start and the end of a drill's script.
    public let spoken: String
    /// Drawn large at the top of every FAX page, so a page read on its own still says it.
    public let banner: String
    /// The CAP `note` of an `Exercise`: receivers must not broadcast it as real.
    public let note: String
}

/// The drill mark of a case's notices: nil for a real case, whose notices carry none.
public func drillMark(drill: Bool) -> DrillMark? {
    guard drill else { return nil }
    return DrillMark(
        mark: "【訓練】", spoken: "これは訓練です。", banner: "【訓練】これは訓練です",
        note: "訓練 (drill): not to be broadcast as real")
}

/// A file that staff write by hand (a concern report, a registration form, a shelter request),
/// whose problems are told with the item's path and, where there is one, its name on the paper
/// form: `reporter.phone（電話番号）: …`.
public protocol StaffFile {
    /// The form's word for an item's path, if it has one.
    static func label(_ path: String) -> String?
}

/// One problem of a staff's file, in words for the staff member who wrote it; never the value.
public struct StaffFileProblem<File: StaffFile>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The item's path (`reporter.phone`, `3行目 生年月日`), empty for the whole file.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        guard !path.isEmpty else { return message }
        return "\(path)\(File.label(path).map { "（\($0)）" } ?? ""): \(message)"
    }
}

import MimamoriCore

extension Configuration {
    /// What `check-config` would list for these settings; empty when they parse.
    static func problems(parsing yaml: String) -> [String] {
        do {
            _ = try Configuration.parse(yaml: yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}

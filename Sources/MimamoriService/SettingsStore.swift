import Synchronization

/// The settings in force. SIGHUP swaps them as a whole, so an event is always planned with one
/// consistent set (directory, templates, keys, configuration), never half old, half new.
public final class SettingsStore: Sendable {
    private let current: Mutex<CaseIntake.Settings>

    public init(_ settings: CaseIntake.Settings) { current = Mutex(settings) }

    public var settings: CaseIntake.Settings { current.withLock { $0 } }

    public func replace(with settings: CaseIntake.Settings) { current.withLock { $0 = settings } }
}

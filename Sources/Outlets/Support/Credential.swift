import Synchronization

/// A secret from a credential file (the SMTP password, the FAX API token) that the daemon can
/// replace while it runs: after a rotation and a SIGHUP, the next transfer uses the new value.
/// Compared by identity: two credentials are the same file's, not the same text.
public final class Credential: Sendable, Hashable {
    private let current: Mutex<String>

    public init(_ value: String) { current = Mutex(value) }

    public var value: String { current.withLock { $0 } }

    /// Returns whether the value changed.
    @discardableResult
    public func replace(with value: String) -> Bool {
        current.withLock { current in
            defer { current = value }
            return current != value
        }
    }

    public static func == (a: Credential, b: Credential) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

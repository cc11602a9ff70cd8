/// Why a test server could not be started or read: the test fails with this text, never skips.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

import Foundation

/// Whether standard output is systemd's journal stream. systemd sets `JOURNAL_STREAM` to the
/// device and inode (`dev:inode`) of the stream it connected; a shell or a pipe that inherited
/// the variable has other numbers on its stdout.
enum JournalStream {
    /// The device and inode `JOURNAL_STREAM` names, nil when it is unset or not `dev:inode`.
    static func named(by environment: [String: String]) -> (device: UInt64, inode: UInt64)? {
        guard let value = environment["JOURNAL_STREAM"] else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }

    /// True when stdout is the stream `JOURNAL_STREAM` names.
    static func isStandardOutput(environment: [String: String]) -> Bool {
        guard let named = named(by: environment) else { return false }
        var status = stat()
        guard fstat(1, &status) == 0 else { return false }
        return UInt64(status.st_dev) == named.device && UInt64(status.st_ino) == named.inode
    }
}

internal import CThreadName
import Foundation

extension Thread {
    /// Starts `body` on a new thread that the operating system knows by `name`, so an operator's
    /// `top -H`, `ps -L`, gdb and a core dump say which thread is the SMTP session, the FAX
    /// renderer or a channel's loop. Keep names ASCII and within 15 bytes, the length Linux
    /// keeps (a longer one is cut).
    ///
    /// Why not just `Thread.name`: on Linux, Foundation keeps a name set before `start()` in
    /// the `Thread` object only. The new thread shows under the name of the thread that started
    /// it, which is a pool thread's (`com.apple.root.default-qos`) for every thread we start
    /// from a task.
    public static func start(named name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            // Named from the thread itself, before any of its work can show up anywhere.
            _ = name.withCString { mimamori_name_current_thread($0) }
            body()
        }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }

    /// The calling thread's name as the operating system shows it.
    public static var operatingSystemName: String {
        var buffer = [CChar](repeating: 0, count: 16)
        guard mimamori_current_thread_name(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

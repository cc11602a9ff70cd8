import CHeap
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Gives back, once the daemon is idle, the memory it holds only because it was once used: the
/// program's pages that only start-up (or the last case) ran, and the allocator's free pages.
///
/// Most of an idle daemon's resident set is the program itself: the kernel maps code in 64 KiB
/// around each page touched, and start-up (settings, the directory, the ledger's migrations)
/// touches much that an idle beat never runs again. Those pages are clean copies of files in the
/// page cache, so unmapping them loses nothing: the next use maps them again from the cache (a disk
/// read only if memory pressure evicted them meanwhile, as it may any page of a program). Only
/// read-only file mappings without a private (written) page are returned; writable and relocated
/// mappings hold state and are never touched.
struct IdleMemory: Service {
    /// When the first return happens after the group starts (start-up's last passes are done), how
    /// often the resident set is looked at afterwards, and by how much it must have grown since the
    /// last return for another one (a case was handled, and what it touched is idle again).
    struct Configuration: Sendable {
        var settle: Duration = .seconds(1)
        var look: Duration = .seconds(30)
        var regrowth: Int = 2 << 20
    }

    let configuration: Configuration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.settle) }
        guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
        var level = returnIdlePages()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.look) }
            if let now = Self.residentBytes(), let last = level, now > last + configuration.regrowth {
                level = returnIdlePages()
            }
        }
    }

    /// Returns the pages; the resident bytes after (nil when /proc cannot be read).
    @discardableResult
    func returnIdlePages() -> Int? {
        let before = Self.residentBytes()
        let returned = Self.returnPages()
        let after = Self.residentBytes()
        logger.debug(
            "memory.returned",
            metadata: [
                "mappings": "\(returned)", "resident_before_kib": "\((before ?? 0) >> 10)", "resident_after_kib": "\((after ?? 0) >> 10)",
            ])
        return after
    }

    /// Unmaps the returnable mappings of `/proc/self/smaps` and trims the allocator; how many
    /// mappings were returned.
    static func returnPages() -> Int {
        var returned = 0
        if let smaps = readProcFile("/proc/self/smaps") {
            for range in ReturnablePages.ranges(inSmaps: smaps) {
                let start = UnsafeMutableRawPointer(bitPattern: range.lowerBound)
                if madvise(start, Int(range.upperBound - range.lowerBound), MADV_DONTNEED) == 0 { returned += 1 }
            }
        }
        mimamori_trim_heap()
        return returned
    }

    /// VmRSS of this process, from `/proc/self/statm` (pages resident, second field).
    static func residentBytes() -> Int? {
        guard let statm = readProcFile("/proc/self/statm") else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A file under /proc read whole: its size is 0 to stat, so read until the end. (Foundation's
    /// `FileManager.contents(atPath:)` on the daemon's smaps left the pages unreturned.)
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Which mappings of a process's `/proc/<pid>/smaps` can be unmapped without losing anything: those
/// backed by a file, not writable, and without an anonymous (copied-on-write) page. A read-only
/// mapping can still hold written pages (the relocations the loader made before it protected
/// them); those are the `Anonymous:` kilobytes, and such a mapping is left whole.
enum ReturnablePages {
    static func ranges(inSmaps smaps: String) -> [Range<UInt>] {
        var ranges: [Range<UInt>] = []
        var candidate: Range<UInt>?
        var resident = false
        var anonymous = false
        func settle() {
            if let range = candidate, resident, !anonymous { ranges.append(range) }
            candidate = nil
        }
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            if let header = Header(line) {
                settle()
                candidate = header.returnable ? header.range : nil
                resident = false
                anonymous = false
            } else if candidate == nil {
                continue
            } else if line.hasPrefix("Rss:") {
                resident = kilobytes(line) != 0
            } else if line.hasPrefix("Anonymous:") {
                anonymous = kilobytes(line) != 0
            } else if line.hasPrefix("VmFlags:") {
                // Locked or special (I/O, PFN) mappings are not the page cache's to refill.
                let flags = line.dropFirst("VmFlags:".count).split(separator: " ")
                if flags.contains(where: { ["lo", "io", "pf", "dd"].contains($0) }) { candidate = nil }
            }
        }
        settle()
        return ranges
    }

    /// A mapping's first line: `7f…-7f… r-xp 00000000 08:01 1234   /usr/lib/…`. Attribute lines
    /// (`Rss:   12 kB`) start with a capital letter, a header with its start address in hex.
    struct Header {
        let range: Range<UInt>
        /// Private, not writable, backed by a file still on disk (not `(deleted)` by an upgrade).
        let returnable: Bool

        init?(_ line: Substring) {
            guard let first = line.first, first.isNumber || ("a"..."f").contains(first) else { return nil }
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5, let dash = fields[0].firstIndex(of: "-"),
                let start = UInt(fields[0][..<dash], radix: 16), let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                start < end
            else { return nil }
            let perms = fields[1]
            let path = fields.count == 6 ? fields[5].drop(while: { $0 == " " }) : ""
            range = start..<end
            returnable =
                perms.count == 4 && !perms.contains("w") && perms.hasSuffix("p") && path.hasPrefix("/") && !path.hasSuffix("(deleted)")
        }
    }

    static func kilobytes(_ line: Substring) -> Int {
        line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }
}

import Foundation
import Testing

@testable import MimamoriDaemon

/// What the idle daemon may give back: only clean, read-only copies of files, never a page that
/// holds state (a writable mapping, relocations, the heap, stacks, the kernel's special pages).
@Suite("idle memory: the pages returned, and the process after")
struct IdleMemoryTests {
    /// Nine mappings as Debian 12's kernel writes them (attribute lines shortened to those read).
    static let smaps = """
        55d0c8a00000-55d0c9e00000 r-xp 00400000 08:01 131 /usr/sbin/mimamorid
        Size:              20480 kB
        Rss:               16896 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        55d0c9e00000-55d0c9f20000 r--p 01800000 08:01 131 /usr/sbin/mimamorid
        Size:               1152 kB
        Rss:                1152 kB
        Anonymous:          1152 kB
        VmFlags: rd mr mw me ac
        55d0c9f20000-55d0c9f80000 rw-p 01920000 08:01 131 /usr/sbin/mimamorid
        Size:                384 kB
        Rss:                 384 kB
        Anonymous:           300 kB
        VmFlags: rd wr mr mw me ac
        7f3a10000000-7f3a10800000 rw-p 00000000 00:00 0
        Size:               8192 kB
        Rss:                3888 kB
        Anonymous:          3888 kB
        VmFlags: rd wr mr mw me nr
        7f3a20000000-7f3a20100000 r--p 00000000 08:01 77 /usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6
        Size:               1024 kB
        Rss:                   0 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me
        7f3a20100000-7f3a20200000 r-xp 00100000 08:01 77 /usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6
        Size:               1024 kB
        Rss:                 940 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me lo
        7f3a20200000-7f3a20300000 r-xp 00000000 08:01 78 /usr/lib/x86_64-linux-gnu/libfoo.so.1 (deleted)
        Size:               1024 kB
        Rss:                 512 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        7ffd1b5f2000-7ffd1b5f4000 r-xp 00000000 00:00 0                          [vdso]
        Size:                  8 kB
        Rss:                   4 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me de sd
        7f3a30000000-7f3a30400000 r--p 00000000 08:01 79 /usr/share/fonts/truetype/ipa gothic.ttf
        Size:               4096 kB
        Rss:                2048 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me
        """

    @Test(
        "only the program's clean code and a clean read-only file are returned; relocated, writable, anonymous, unused, locked, deleted and kernel mappings are kept"
    )
    func returnable() {
        let ranges = ReturnablePages.ranges(inSmaps: Self.smaps)
        #expect(ranges == [0x55d0_c8a0_0000..<0x55d0_c9e0_0000, 0x7f3a_3000_0000..<0x7f3a_3040_0000])
    }

    @Test("an attribute line is never read as a mapping, and a mapping's attributes never count for the one before")
    func attributesStayWithTheirMapping() {
        // The writable mapping's "Anonymous: 0" must not clear the relocated one before it.
        let smaps = """
            1000-2000 r--p 00000000 08:01 1 /bin/x
            Rss:                   4 kB
            Anonymous:             4 kB
            2000-3000 rw-p 00001000 08:01 1 /bin/x
            Rss:                   4 kB
            Anonymous:             0 kB
            """
        #expect(ReturnablePages.ranges(inSmaps: smaps).isEmpty)
        #expect(ReturnablePages.Header("Rss:                   4 kB") == nil)
        #expect(ReturnablePages.Header("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]")?.returnable == false)
    }

    @Test("on this very process: the resident set falls, and the code and data unmapped still run and read the same after")
    func returnsAndRunsOn() throws {
        // The tests run before this one have left much of this binary's code resident.
        let before = try #require(IdleMemory.residentBytes())
        let smaps = try #require(IdleMemory.readProcFile("/proc/self/smaps"))
        let expected = ReturnablePages.ranges(inSmaps: smaps)
        #expect(!expected.isEmpty)
        let checksum = Self.smaps.utf8.reduce(0) { $0 &+ Int($1) }

        let returned = IdleMemory.returnPages()
        let after = try #require(IdleMemory.residentBytes())

        #expect(returned > 0)
        #expect(after < before, "resident \(before >> 10) KiB before, \(after >> 10) KiB after")
        // The pages come back from the page cache as they are used: the same code, the same text.
        #expect(Self.smaps.utf8.reduce(0) { $0 &+ Int($1) } == checksum)
        #expect(ReturnablePages.ranges(inSmaps: Self.smaps).count == 2)
        let encoded = try JSONEncoder().encode(["見守り": 1])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"見守り":1}"#)
    }
}

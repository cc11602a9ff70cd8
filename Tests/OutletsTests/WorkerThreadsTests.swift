import Foundation
import NamedThreads
import Synchronization
import Testing

@testable import Outlets

@Suite struct WorkerThreadsTests {
    /// What a thread keeps warm is the point (pango's font map, a libcurl connection): each
    /// thread makes its resource once and every job it runs gets that same one.
    @Test func eachThreadMakesItsResourceOnceAndKeepsIt() async {
        let made = Counts()
        let threads = WorkerThreads<Int>(count: 2, name: "test-worker") { made.now.add(1, ordering: .relaxed).newValue }
        var seen: Set<Int> = []
        for _ in 0..<50 {
            if let resource = await threads.run({ $0 }) { seen.insert(resource) }
        }
        await threads.shutdown()
        #expect(made.now.load(ordering: .relaxed) == 2)
        #expect(seen.isSubset(of: [1, 2]) && !seen.isEmpty)
    }

    @Test func jobsRunOnTheSameThreadsNotANewOneEach() async {
        let threads = WorkerThreads<Void>(count: 1, name: "test-worker") {}
        var ids: Set<UInt> = []
        for _ in 0..<20 {
            if let id = await threads.run({ UInt(bitPattern: Int(pthread_self())) }) { ids.insert(id) }
        }
        await threads.shutdown()
        #expect(ids.count == 1)
    }

    /// `top -H`, gdb and a core dump tell the threads apart by the name the operating system has,
    /// which Foundation's `Thread.name` alone never reaches on Linux.
    @Test func theOperatingSystemKnowsEachThreadByItsName() async {
        let threads = WorkerThreads<Void>(count: 2, name: "smtp") {}
        var names: Set<String> = []
        for _ in 0..<20 {
            if let name = await threads.run({ Thread.operatingSystemName }) { names.insert(name) }
        }
        await threads.shutdown()
        #expect(!names.isEmpty && names.isSubset(of: ["smtp-0", "smtp-1"]))
    }

    /// Linux keeps 15 bytes of a thread's name: a longer one is cut, and the thread still starts.
    @Test func aNameTooLongForTheOperatingSystemIsCut() async {
        let threads = WorkerThreads<Void>(count: 1, name: "a-name-longer-than-linux-keeps") {}
        let name = await threads.run { Thread.operatingSystemName }
        await threads.shutdown()
        #expect(name == "a-name-longer-t")
    }

    @Test func runsAsManyAtOnceAsThereAreThreads() async {
        let counts = Counts()
        let threads = WorkerThreads<Void>(count: 3, name: "test-worker") {}
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    _ = await threads.run { _ in
                        let now = counts.now.add(1, ordering: .sequentiallyConsistent).newValue
                        _ = counts.most.max(now, ordering: .sequentiallyConsistent)
                        usleep(50_000)
                        counts.now.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
            }
        }
        await threads.shutdown()
        #expect(counts.most.load(ordering: .sequentiallyConsistent) == 3)
    }

    @Test func afterShutdownNothingRunsAndTheCallerIsTold() async {
        let threads = WorkerThreads<Void>(count: 2, name: "test-worker") {}
        #expect(await threads.run({ 7 }) == 7)
        await threads.shutdown()
        #expect(await threads.run({ 7 }) == nil)
    }
}

/// Counters shared with the worker threads.
private final class Counts: Sendable {
    let now = Atomic<Int>(0)
    let most = Atomic<Int>(0)
}

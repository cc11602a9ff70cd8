import Foundation
import NamedThreads
import Synchronization
import Testing

@testable import MimamoriService

@Suite struct ChannelThreadTests {
    /// The threads a test's steps ran on.
    final class Threads: Sendable {
        private let ids = Mutex<Set<UInt>>([])
        func note() { ids.withLock { _ = $0.insert(UInt(bitPattern: Int(pthread_self()))) } }
        var seen: Set<UInt> { ids.withLock { $0 } }
    }

    final class Gate: Sendable {
        let continuation = Mutex<CheckedContinuation<Void, Never>?>(nil)
    }

    /// The point of the thread: the loop, its child tasks, and every step after a continuation
    /// is resumed from another thread (an SMTP session, the ledger's writer) all run on it.
    @Test func aTaskItsChildrenAndTheirResumptionsRunOnTheChannelThread() async {
        let thread = ChannelThread(name: "channel-test")
        defer { thread.close() }
        let ids = Threads()
        let elsewhere = Threads()
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask(executorPreference: thread) {
                ids.note()
                await withDiscardingTaskGroup { group in
                    for _ in 0..<20 {
                        group.addTask {
                            ids.note()
                            // Resumed from a thread of its own, as libcurl's sessions resume a send.
                            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                                Thread {
                                    elsewhere.note()
                                    continuation.resume()
                                }.start()
                            }
                            ids.note()
                        }
                    }
                }
                ids.note()
            }
        }
        let seen = ids.seen
        #expect(seen.count == 1)
        #expect(seen.isDisjoint(with: elsewhere.seen))
    }

    /// An operator's `top -H` shows which channel's loop is busy.
    @Test func theOperatingSystemShowsTheChannelsName() async {
        let thread = ChannelThread(name: "channel-email")
        defer { thread.close() }
        let name = await Task(executorPreference: thread) { Thread.operatingSystemName }.value
        #expect(name == "channel-email")
    }

    /// A task still preferring the thread after the dispatcher closed it is not stranded: it
    /// finishes on the global executor (stranded, it would never return).
    @Test(.timeLimit(.minutes(1))) func afterCloseATaskStillFinishes() async {
        let thread = ChannelThread(name: "channel-test")
        let gate = Gate()
        let task = Task(executorPreference: thread) { () -> Int in
            await withCheckedContinuation { continuation in gate.continuation.withLock { $0 = continuation } }
            return 42
        }
        while gate.continuation.withLock({ $0 == nil }) { await Task.yield() }
        thread.close()
        gate.continuation.withLock { $0?.resume() }
        #expect(await task.value == 42)
    }
}

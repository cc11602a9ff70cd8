import Testing

@testable import Timing

@Suite("withTimeLimit: a peer that may never answer")
struct TimeLimitTests {
    @Test("an answer within the limit is returned")
    func answerInTime() async throws {
        let value = try await withTimeLimit(.seconds(30)) { 42 }
        #expect(value == 42)
    }

    @Test("a body that never answers is given up on (and cancelled): nil")
    func neverAnswers() async throws {
        let value: Int? = try await withTimeLimit(.milliseconds(20)) {
            try await Task.sleep(for: .seconds(3600))
            return 1
        }
        #expect(value == nil)
    }

    @Test("a body's error is the caller's")
    func errorsPassThrough() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await withTimeLimit(.seconds(30)) { () async throws -> Int in throw Refused() }
        }
    }
}

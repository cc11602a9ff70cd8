import AMQP
import MimamoriDaemon
import MimamoriService
import Testing

/// The one decision of which dead letters keep their body (operations.md, "Dead-letter reasons").
@Suite("DeadLetterBody: which dead letters keep their body")
struct DeadLetterBodyTests {
    @Test(
        "kept where a replay can succeed, not kept for unsigned, forged, oversized, broken or unknown reasons",
        arguments: [
            ("signature.unknown-key", true), ("case.unknown", true), ("ledger.constraint", true), ("ledger.caller", true),
            ("signature.missing", false), ("signature.invalid", false), ("signature.malformed", false),
            ("body.oversized", false), ("body.not-json", false), ("field.type:kind", false), ("schema.unknown", false),
            ("case.other-municipality", false), ("case.drill-mismatch", false), ("signature.wrong-town", false),
        ])
    func decision(reason: String, kept: Bool) {
        #expect(DeadLetterBody.isKept(reason: reason) == kept)
        let body = Array("{\"caseId\":\"KN-1\"}".utf8)
        switch DeadLetterBody.copy(reason: reason, body: body) {
        case .whole:
            #expect(kept)
        case .withoutBody(let headers):
            #expect(!kept)
            #expect(headers[DeadLetterBody.sizeHeader] == .int(Int64(body.count)))
            // sha256sum of the same bytes.
            #expect(headers[DeadLetterBody.sha256Header] == .string(DeadLetterBody.sha256(body)))
        }
        #expect(DeadLetterBody.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

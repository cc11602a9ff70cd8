import Crypto
import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger confirmations: one code per delivery, recorded once, a 処分しました covers the recipient's papers")
struct LedgerConfirmationTests {
    static let signer = ConfirmationSigner(key: SymmetricKey(data: Data(repeating: 7, count: 32)))

    @Test("codes are stored per delivery and found again; the radio has none", arguments: LedgerBackend.all)
    func codesStored(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 3, email: 4, radio: true, confirmations: Self.signer))
        var codes = Set<ConfirmationCode>()
        for channel in Channel.allCases {
            for job in try await ledger.claimDue(now: t0, channel: channel, limit: 100) {
                if channel == .radio {
                    #expect(job.confirmation == nil)
                    continue
                }
                let code = try #require(job.confirmation)
                codes.insert(code)
                let target = try #require(try await ledger.confirmationTarget(code))
                #expect(target.delivery == job.id)
                #expect(target.recipient == job.recipient)
                #expect(target.kind == .alert)
                #expect(target.receivedAt == nil && target.destroyedAt == nil)
            }
        }
        #expect(codes.count == 7)
        let forged = try #require(ConfirmationCode(parsing: "0000-0000-0000"))
        #expect(try await ledger.confirmationTarget(forged) == nil)
    }

    @Test("received is recorded once; a repeat changes nothing", arguments: LedgerBackend.all)
    func receivedOnce(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 1, radio: false, confirmations: Self.signer))
        let job = try #require(try await ledger.claimDue(now: t0, channel: .email, limit: 1).first)
        let code = try #require(job.confirmation)
        let first = try await ledger.recordConfirmation(.received, code: code, at: t0.addingTimeInterval(60), via: .link)
        guard case .recorded(let target, covered: 1) = first else {
            Issue.record("first received: \(first)")
            return
        }
        #expect(target.receivedAt == t0.addingTimeInterval(60))
        let again = try await ledger.recordConfirmation(.received, code: code, at: t0.addingTimeInterval(120), via: .link)
        guard case .alreadyRecorded(let kept) = again else {
            Issue.record("second received: \(again)")
            return
        }
        #expect(kept.receivedAt == t0.addingTimeInterval(60))
        let audit = try await ledger.audit(case: CaseID("KN-0042")).filter { $0.event.hasPrefix("confirm.") }
        #expect(audit.count == 1)
    }

    @Test("one 処分しました covers alert, update and termination of that recipient, no one else's", arguments: LedgerBackend.all)
    func destroyedCoversRecipient(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 2, email: 2, radio: true, confirmations: Self.signer))
        _ = try await ledger.recordIntake(
            makeIntake(messageID: "u", sequence: 2, eventKind: "updated", kind: .update, fax: 2, email: 2, confirmations: Self.signer))
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "c", sequence: 3, eventKind: "closed", kind: .termination, fax: 2, email: 2, radio: true, closed: true,
                confirmations: Self.signer))
        let jobs = try await ledger.claimDue(now: t0, channel: .fax, limit: 100)
        let termination = try #require(jobs.first { $0.kind == .termination && $0.recipient == RecipientID("coop-fax-0") })
        let code = try #require(termination.confirmation)
        // A termination asks only for destruction.
        guard case .notAsked = try await ledger.recordConfirmation(.received, code: code, at: t0, via: .link) else {
            Issue.record("received on a termination was recorded")
            return
        }
        let outcome = try await ledger.recordConfirmation(.destroyed, code: code, at: t0.addingTimeInterval(600), via: .staff)
        guard case .recorded(_, covered: 3) = outcome else {
            Issue.record("destroyed: \(outcome)")
            return
        }
        for job in jobs {
            let jobCode = try #require(job.confirmation)
            let target = try #require(try await ledger.confirmationTarget(jobCode))
            let mine = job.recipient == RecipientID("coop-fax-0")
            #expect((target.destroyedAt != nil) == mine, "\(job.recipient) \(job.kind)")
        }
        // The alert's own code now reports destroyed too: a later click on it changes nothing.
        let alert = try #require(jobs.first { $0.kind == .alert && $0.recipient == RecipientID("coop-fax-0") })
        let alertCode = try #require(alert.confirmation)
        guard case .alreadyRecorded = try await ledger.recordConfirmation(.destroyed, code: alertCode, at: t0, via: .link) else {
            Issue.record("destroyed twice")
            return
        }
    }

    @Test("purge expires the codes and keeps the times", arguments: LedgerBackend.all)
    func purgeExpiresCodes(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 1, radio: false, confirmations: Self.signer))
        var codes: [ConfirmationCode] = []
        for channel in [Channel.fax, .email] {
            for job in try await ledger.claimDue(now: t0, channel: channel, limit: 10) {
                try await ledger.markDelivered(job.id, at: t0)
                codes.append(try #require(job.confirmation))
            }
        }
        _ = try await ledger.recordConfirmation(.destroyed, code: codes[0], at: t0.addingTimeInterval(60), via: .link)
        let closedAt = t0.addingTimeInterval(3600)
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 0, radio: false,
                at: closedAt, closed: true))
        _ = try await ledger.purge(retention: .seconds(86400), now: closedAt.addingTimeInterval(86401))
        for code in codes {
            #expect(try await ledger.confirmationTarget(code) == nil)
            guard case .unknown = try await ledger.recordConfirmation(.received, code: code, at: closedAt, via: .link) else {
                Issue.record("a purged case's code was recorded")
                continue
            }
            #expect(fixture.hits(of: code.rawValue) == 0)
        }
    }
}

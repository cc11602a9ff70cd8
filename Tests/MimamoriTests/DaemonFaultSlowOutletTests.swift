import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fault: one outlet is slow. The FAX provider's HTTP API takes its time to answer; email and
/// the disaster radio must not wait for it.
@Suite("faults: a slow FAX API does not delay email or radio (real mimamorid)", .serialized)
struct DaemonFaultSlowOutletTests {
    /// The issue says 30 s; under test 10 s, still far longer than email and radio need.
    static let faxDelay = 10.0
    static let volunteers = 100
    static let institutions = 4

    @Test("FAX API answering after 10 s: every email and the radio are delivered while the FAX requests are still pending")
    func slowFaxAPI() async throws {
        let fax = try HTTPReceiver(.init(delay: Self.faxDelay))
        defer { fax.stop() }
        let radio = try HTTPReceiver()
        defer { radio.stop() }
        var options = DaemonFolder.Options()
        options.faxAPI = fax.url("/v1/faxes")
        options.radioCAP = radio.url("/cap")
        let cooperators = DaemonFolder.cooperators(email: Self.volunteers, fax: Self.institutions)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let published = ContinuousClock.now
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            let opened = try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            #expect(opened.contains("fax=\(Self.institutions)") && opened.contains("radio=1"), "\(opened)")

            // The FAX API has the first requests and sits on them.
            try await waitUntil("the FAX API received a request", daemon: daemon) { ((try? fax.requests().count) ?? 0) > 0 }
            let faxFirstRequest = ContinuousClock.now - published

            // All four at once (one HTTP session per FAX in flight), not two now and two after
            // the first answers.
            try await waitUntil(
                "all \(Self.institutions) FAX requests are with the API at once", timeout: .seconds(Self.faxDelay / 2), daemon: daemon
            ) {
                ((try? fax.requests().count) ?? 0) >= Self.institutions
            }
            try await rig.waitForMail(Self.volunteers, daemon: daemon, timeout: .seconds(60))
            let emailsDone = ContinuousClock.now - published
            try await waitUntil("the radio's CAP endpoint received the alert", daemon: daemon) { ((try? radio.requests().count) ?? 0) > 0 }
            let radioDone = ContinuousClock.now - published
            // Both recorded in the ledger (the outcome is committed just after the server's reply).
            try await waitUntil("email and radio deliveries are recorded delivered", daemon: daemon) {
                let states = try rig.deliveryStates()
                return states["email/delivered"] == Self.volunteers && states["radio/delivered"] == 1
            }
            let states = try rig.deliveryStates()
            let faxDelivered = states["fax/delivered"] ?? 0
            #expect(states["email/delivered"] == Self.volunteers, "\(states)")
            #expect(states["radio/delivered"] == 1, "\(states)")
            #expect(faxDelivered == 0, "a FAX was answered before email and radio were done: the test proved nothing (\(states))")
            #expect((states["fax/sending"] ?? 0) > 0, "no FAX request is pending: \(states)")

            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(90))
            let faxDone = ContinuousClock.now - published
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": Self.volunteers + Self.institutions + 1])
            let requests = try fax.requests()
            #expect(requests.count >= Self.institutions)
            print(
                "fault figure: slow FAX API (\(Self.faxDelay) s per request; 4 FAX at once, 4 HTTP sessions): first FAX request at \(faxFirstRequest.ms) ms; "
                    + "all \(Self.volunteers) emails at \(emailsDone.ms) ms, radio at \(radioDone.ms) ms with \(states["fax/sending"] ?? 0) FAX pending, "
                    + "0 FAX answered; all \(Self.institutions) FAX done at \(faxDone.ms) ms (\(requests.count) requests)")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

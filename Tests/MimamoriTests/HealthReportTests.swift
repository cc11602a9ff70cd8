import MimamoriDaemon
import MimamoriService
import Testing

@Suite("/healthz: ok, degraded, unavailable")
struct HealthReportTests {
    @Test("ok with its detail; degraded stays 200; unavailable is 503 and lists degraded causes after its own")
    func statesAndLines() {
        var report = HealthReport(detail: "cases_open=2")
        #expect(report.isHealthy && report.text == "ok cases_open=2")

        report.degraded("channel email paused (smtp-530 at mail-from)")
        report.degraded("channel fax paused (http-401)")
        #expect(report.isHealthy)
        #expect(report.text == "degraded: channel email paused (smtp-530 at mail-from); channel fax paused (http-401)")

        report.unavailable("broker disconnected: reconnecting")
        #expect(!report.isHealthy)
        #expect(
            report.text
                == "unavailable: broker disconnected: reconnecting; channel email paused (smtp-530 at mail-from); channel fax paused (http-401)"
        )
    }
}

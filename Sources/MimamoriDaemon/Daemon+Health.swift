import AMQP
import Ledger
import MimamoriService

extension Daemon {
    /// `/healthz`: every part of the daemon adds what it knows, each cause with the journal line
    /// that says more. A new cause is one more line here.
    static func health(
        ledger: any CaseReports, connection: AMQPConnection, intake: IntakeService, dispatcher: Dispatcher, settings: SettingsStore,
        confirm: ConfirmEndpoint? = nil, forwarder: PartnerForwarder? = nil, active: Bool = false
    ) async -> HealthReport {
        var report = HealthReport()
        do throws(LedgerError) {
            // `active`: this daemon holds the lease of a ledger it shares with a standby.
            report.detail = "cases_open=\(try await ledger.openCaseCount())" + (active ? " role=active" : "")
        } catch {
            report.unavailable("ledger unavailable: \(error.code)")
        }
        if !connection.isConnected { report.unavailable("broker disconnected: reconnecting (amqp.reconnecting)") }
        if let stall = intake.stall {
            report.unavailable("intake stalled: the ledger cannot take messages (\(stall)); see intake.hint")
        }
        for (channel, cause) in dispatcher.pausedChannels {
            report.degraded("channel \(channel.rawValue) paused (\(cause)); see channel.paused")
        }
        if confirm?.isUnavailable == true {
            report.degraded("confirmation endpoint unavailable: cooperators' links and QR codes fail; see confirm.unavailable")
        }
        if let waiting = forwarder?.stuckFor() {
            report.degraded(
                "partner forwards waiting \(Int(waiting))s: a partner town's cooperators are not told; see partner.unforwarded")
        }
        let refused = settings.settings.refusedRows
        if refused > 0 { report.degraded("directory: \(refused) rows left out; see directory.row-refused") }
        return report
    }
}

import Ledger
import MimamoriCore

extension ConfirmationRequest {
    /// What a claimed delivery asks its recipient: nil when it carries no code (a kind that asks
    /// nothing, the radio, or a delivery planned before `confirm:` was set) or `confirm:` is off
    /// now (no endpoint would answer the links).
    init?(_ job: DeliveryJob, confirm: Configuration.Confirm?, town: Configuration.Town) {
        guard let code = job.confirmation, let confirm else { return nil }
        self.init(kind: job.kind, code: code, confirm: confirm, town: town)
    }

    /// What `mimamori render` shows a delivery asked: the sample code, when `confirm:` is set
    /// and the delivery's kind and channel ask for a confirmation.
    public static func sample(for delivery: PlannedDelivery, configuration: Configuration) -> ConfirmationRequest? {
        guard delivery.asksForConfirmation, let confirm = configuration.confirm else { return nil }
        return ConfirmationRequest(kind: delivery.kind, code: .sample, confirm: confirm, town: configuration.town)
    }
}

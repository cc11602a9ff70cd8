import Logging
import MimamoriCore
import Outlets
extension DaemonOutlets {
    static func faxAndRadio(_ configuration: Configuration, credentials: Credentials, email: EmailOutlet, logger: Logger) throws(OutletError) -> [any Outlet] { [] }
}

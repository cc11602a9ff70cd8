import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriService
import ServiceLifecycle
import Synchronization

/// The confirmation endpoint (`confirm.listen`, loopback, behind the town's reverse proxy): the
/// pages a cooperator's link or QR code opens, and the POST of their button that records
/// 受け取りました or 処分しました in the ledger.
///
/// - `GET /c/CODE`: the buttons the notice asks for; `GET /c/CODE/received|destroyed`: that one.
///   A GET never records (mail scanners and link previews open every link).
/// - `POST` to the same paths records once (`via=link`) and thanks; a repeat thanks and says it
///   was recorded already.
/// - An unknown, purged or malformed code, or a confirmation the notice does not ask, is one
///   404 page that does not say which.
/// - Per client and for unknown codes overall, `ConfirmRateLimit`; over it, 429 with Retry-After.
/// - `POST /fax/status` goes to `faxStatus` when one is given (the FAX service's webhook).
public struct ConfirmEndpoint: Service {
    public typealias FaxStatus = @Sendable (_ body: [UInt8], _ headers: [String: String]) async -> (status: Int, text: String)

    public struct Configuration: Sendable {
        public var host: String
        public var port: UInt16
        public var readTimeout: Duration = .seconds(5)
        public var maxConnections = 32
        /// Requests one client may make per minute.
        public var perClientPerMinute = 30
        /// Unknown-code answers per minute, all clients together.
        public var unknownCodesPerMinute = 60

        public init(host: String = "127.0.0.1", port: UInt16 = 9465) {
            self.host = host
            self.port = port
        }

        /// `confirm.listen` (`127.0.0.1:9465`); nil when it is not HOST:PORT.
        public init?(listen: String) {
            let parts = listen.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
            self.init(host: String(parts[0]), port: port)
        }
    }

    private let configuration: Configuration
    private let responder: Responder
    private let logger: Logger
    private let unavailable = UnavailableFlag()

    /// True once the endpoint could not serve: cooperators' links fail, so `/healthz` says so.
    public var isUnavailable: Bool { unavailable.value.withLock { $0 } }

    final class UnavailableFlag: Sendable {
        let value = Mutex(false)
    }

    public init(
        configuration: Configuration, store: any ConfirmationStore, town: @escaping @Sendable () -> MimamoriCore.Configuration.Town,
        logger: Logger, metrics: DaemonMetrics = DaemonMetrics(), now: @escaping @Sendable () -> Date = { Date() },
        faxStatus: FaxStatus? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        responder = Responder(
            store: store, town: town, now: now, faxStatus: faxStatus, logger: logger, metrics: metrics,
            limits: Mutex(
                ConfirmRateLimit(
                    limits: .init(perClient: configuration.perClientPerMinute, unknownCodes: configuration.unknownCodesPerMinute))))
    }

    public func run() async throws {
        let limits = BoundedHTTP.Limits(
            maxRequestBytes: 8 << 10, maxBodyBytes: 1 << 10, readTimeout: configuration.readTimeout,
            maxConnections: configuration.maxConnections)
        let unavailable = self.unavailable
        let server = BoundedHTTP(
            name: "confirm", host: configuration.host, port: configuration.port, limits: limits, logger: logger,
            onUnavailable: { unavailable.value.withLock { $0 = true } })
        let responder = self.responder
        try await server.run { request in await responder.answer(request) }
    }

    final class Responder: Sendable {
        let store: any ConfirmationStore
        let town: @Sendable () -> MimamoriCore.Configuration.Town
        let now: @Sendable () -> Date
        let faxStatus: FaxStatus?
        let logger: Logger
        let metrics: DaemonMetrics
        let limits: Mutex<ConfirmRateLimit>

        init(
            store: any ConfirmationStore, town: @escaping @Sendable () -> MimamoriCore.Configuration.Town,
            now: @escaping @Sendable () -> Date, faxStatus: FaxStatus?, logger: Logger, metrics: DaemonMetrics,
            limits: consuming Mutex<ConfirmRateLimit>
        ) {
            self.store = store
            self.town = town
            self.now = now
            self.faxStatus = faxStatus
            self.logger = logger
            self.metrics = metrics
            self.limits = limits
        }

        /// What the path asks: the code's text and the one confirmation it names, if any.
        enum Route: Equatable {
            case page(code: String, only: Confirmation?)
            case faxStatus
            case none
        }

        static func route(_ path: String) -> Route {
            if path == "/fax/status" { return .faxStatus }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3 || parts.count == 4, parts[0].isEmpty, parts[1] == "c" else { return .none }
            // The code as typed into the address bar may carry percent-escapes (full-width forms).
            let code = String(parts[2]).removingPercentEncoding ?? String(parts[2])
            guard parts.count == 4 else { return .page(code: code, only: nil) }
            guard let only = Confirmation(rawValue: String(parts[3])) else { return .none }
            return .page(code: code, only: only)
        }

        /// The client a limit counts: the peer, or behind the reverse proxy on loopback the hop
        /// the proxy appended last to `X-Forwarded-For` (earlier hops are the client's to write).
        static func client(_ request: HTTPRequest) -> String {
            guard request.peer.hasPrefix("127.") || request.peer == "::1",
                let forwarded = request.headers["x-forwarded-for"]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
                !forwarded.isEmpty
            else { return request.peer }
            return forwarded
        }

        func answer(_ request: HTTPRequest) async -> HTTPAnswer {
            let pages = ConfirmPages(town: town())
            let route = Self.route(request.path)
            if route == .faxStatus, let faxStatus {
                guard request.method == "POST" else { return .text(405, "POST only\n") }
                let (status, text) = await faxStatus(request.body, request.headers)
                return .text(status, text.hasSuffix("\n") ? text : text + "\n")
            }
            guard case .page(let text, let only) = route else { return pages.notFound() }
            guard request.method == "GET" || request.method == "POST" else {
                return pages.badRequest(405)
            }
            let decision = limits.withLock { $0.admit(client: Self.client(request), at: .now) }
            if case .refuse(let retryAfter) = decision {
                refused("rate-limited", only: request.method == "POST" ? only : nil)
                return pages.tooMany(retryAfter: ConfirmRateLimit.retryAfterSeconds(retryAfter))
            }
            guard let code = ConfirmationCode(parsing: text) else { return unknown(pages, only: request.method == "POST" ? only : nil) }
            do {
                if request.method == "POST" {
                    guard let only else { return pages.badRequest(405) }
                    return try await record(only, code: code, pages: pages)
                }
                guard let target = try await store.confirmationTarget(code) else { return unknown(pages, only: nil) }
                let asked = target.kind.confirmations.filter { only == nil || $0 == only }
                guard !asked.isEmpty else {
                    refused("not-asked", only: nil, target: target)
                    return pages.notFound()
                }
                return pages.ask(target, asked, only: only)
            } catch {
                logger.error("confirm.unavailable", metadata: .keys([.reason: .string(error.operatorHint)]))
                return pages.unavailable()
            }
        }

        func record(_ confirmation: Confirmation, code: ConfirmationCode, pages: ConfirmPages) async throws(LedgerError) -> HTTPAnswer {
            switch try await store.recordConfirmation(confirmation, code: code, at: now(), via: .link) {
            case .recorded(let target, let covered):
                logger.notice(
                    "confirm.recorded",
                    metadata: .keys([
                        .case: .string(target.caseID.rawValue), .recipient: .string(target.recipient.rawValue),
                        .kind: .string(target.kind.rawValue), .confirmation: .string(confirmation.rawValue), .via: "link",
                        .covered: "\(covered)",
                    ]))
                metrics.confirmation(confirmation.rawValue, outcome: "recorded")
                return pages.thanks(target, confirmation, already: nil)
            case .alreadyRecorded(let target):
                logger.info(
                    "confirm.repeated",
                    metadata: .keys([
                        .case: .string(target.caseID.rawValue), .recipient: .string(target.recipient.rawValue),
                        .kind: .string(target.kind.rawValue), .confirmation: .string(confirmation.rawValue),
                    ]))
                metrics.confirmation(confirmation.rawValue, outcome: "repeated")
                return pages.thanks(target, confirmation, already: target.recorded(confirmation))
            case .notAsked(let target):
                refused("not-asked", only: confirmation, target: target)
                return pages.notFound()
            case .unknown:
                return unknown(pages, only: confirmation)
            }
        }

        private func unknown(_ pages: ConfirmPages, only: Confirmation?) -> HTTPAnswer {
            limits.withLock { $0.answeredUnknown(at: .now) }
            refused("unknown", only: only)
            return pages.notFound()
        }

        private func refused(_ reason: String, only: Confirmation?, target: ConfirmationTarget? = nil) {
            var metadata: [LogKey: Logger.MetadataValue] = [.reason: .string(reason)]
            if let target {
                metadata[.case] = .string(target.caseID.rawValue)
                metadata[.recipient] = .string(target.recipient.rawValue)
                metadata[.kind] = .string(target.kind.rawValue)
            }
            if let only { metadata[.confirmation] = .string(only.rawValue) }
            logger.notice("confirm.refused", metadata: .keys(metadata))
            metrics.confirmation(only?.rawValue ?? "page", outcome: reason)
        }
    }
}

/// Where and how to reach the broker. Built from `broker.url` in mimamori.yaml with
/// `init(url:password:)`; the password usually comes from a credential file, not the URL.
public struct AMQPConfiguration: Sendable, Equatable {
    public struct TLS: Sendable, Equatable {
        /// PEM file of the CA that signed the broker's certificate; nil uses the system bundle
        /// (`/etc/ssl/certs/ca-certificates.crt`) when there is one.
        public var caFile: String?
        /// PEM client certificate and key, for brokers that require one (and for EXTERNAL).
        public var certificateFile: String?
        public var keyFile: String?
        public var verifyPeer: Bool
        public var verifyHostname: Bool

        public init(
            caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
            verifyPeer: Bool = true, verifyHostname: Bool = true
        ) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.verifyPeer = verifyPeer
            self.verifyHostname = verifyHostname
        }
    }

    public enum Authentication: Sendable, Equatable {
        case plain
        /// SASL EXTERNAL: the broker takes the identity from the TLS client certificate.
        case external
    }

    public var host: String
    public var port: Int
    public var virtualHost: String
    public var user: String
    public var password: String
    public var authentication: Authentication
    /// nil: plain TCP.
    public var tls: TLS?
    /// Seconds; 0 turns heartbeats off (not advised: a dead peer is then found only by TCP).
    public var heartbeat: Int
    /// Unacknowledged deliveries the broker may push to us at once (basic.qos).
    public var prefetch: UInt16
    public var frameMax: Int
    public var connectTimeout: Duration
    /// Limit for each broker round trip (declare, consume, channel open) once connected.
    public var rpcTimeout: Duration
    /// Reconnect backoff: first delay, cap; each delay gets up to 25 % jitter.
    public var reconnectInitialDelay: Duration
    public var reconnectMaxDelay: Duration
    /// Shown in the broker's management UI.
    public var connectionName: String
    /// The other nodes of the same cluster (`broker.urls`), same user, vhost and TLS: a
    /// (re)connect tries them in turn when `host:port` does not answer. rabbitmq-c takes one
    /// host per connection.
    public var otherNodes: [Node] = []

    /// One node of the broker's cluster.
    public struct Node: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    /// Every node, `host:port` first.
    public var nodes: [Node] { [Node(host: host, port: port)] + otherNodes }

    /// This configuration aimed at one node (TLS checks that node's name).
    public func at(_ node: Node) -> AMQPConfiguration {
        var one = self
        one.host = node.host
        one.port = node.port
        one.otherNodes = []
        return one
    }

    public init(
        host: String = "localhost", port: Int? = nil, virtualHost: String = "/",
        user: String = "guest", password: String = "guest",
        authentication: Authentication = .plain, tls: TLS? = nil, heartbeat: Int = 30,
        prefetch: UInt16 = 64, frameMax: Int = 131_072, connectTimeout: Duration = .seconds(10),
        rpcTimeout: Duration = .seconds(30), reconnectInitialDelay: Duration = .milliseconds(100),
        reconnectMaxDelay: Duration = .seconds(30), connectionName: String = "swift-amqp"
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.virtualHost = virtualHost
        self.user = user
        self.password = password
        self.authentication = authentication
        self.tls = tls
        self.heartbeat = heartbeat
        self.prefetch = prefetch
        self.frameMax = frameMax
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaxDelay = reconnectMaxDelay
        self.connectionName = connectionName
    }
}

extension AMQPConfiguration: CustomStringConvertible {
    /// Safe to log: never shows the password.
    public var description: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        return "\(scheme)://\(user)@\(host):\(port)/\(virtualHost) heartbeat=\(heartbeat)s prefetch=\(prefetch)"
    }
}

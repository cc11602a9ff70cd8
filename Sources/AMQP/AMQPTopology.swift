/// Exchanges, queues and bindings, declared (or only checked, `passive`) in order. Redeclared
/// after every reconnect so that a broker that lost non-durable state gets it back.
public struct AMQPTopology: Sendable, Equatable {
    public enum ExchangeKind: String, Sendable {
        case direct, fanout, topic, headers
    }

    public struct Exchange: Sendable, Equatable {
        public var name: String
        public var kind: ExchangeKind
        public var durable: Bool = true
        public var autoDelete: Bool = false
        public var arguments: [String: AMQPHeaderValue] = [:]

        public init(name: String, kind: ExchangeKind, durable: Bool = true, autoDelete: Bool = false) {
            self.name = name
            self.kind = kind
            self.durable = durable
            self.autoDelete = autoDelete
        }
    }

    public struct Queue: Sendable, Equatable {
        public var name: String
        public var durable: Bool = true
        public var exclusive: Bool = false
        public var autoDelete: Bool = false
        public var arguments: [String: AMQPHeaderValue] = [:]

        public init(
            name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
            arguments: [String: AMQPHeaderValue] = [:]
        ) {
            self.name = name
            self.durable = durable
            self.exclusive = exclusive
            self.autoDelete = autoDelete
            self.arguments = arguments
        }
    }

    public struct Binding: Sendable, Equatable {
        public var queue: String
        public var exchange: String
        public var routingKey: String

        public init(queue: String, exchange: String, routingKey: String) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
        }
    }

    /// An exchange-to-exchange binding (a RabbitMQ extension): what reaches `source` with a
    /// matching key is routed on by `destination` as if published there.
    public struct ExchangeBinding: Sendable, Equatable {
        public var destination: String
        public var source: String
        public var routingKey: String

        public init(destination: String, source: String, routingKey: String) {
            self.destination = destination
            self.source = source
            self.routingKey = routingKey
        }
    }

    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]
    public var exchangeBindings: [ExchangeBinding]
    /// Only check that everything exists with these settings (passive declare); for brokers
    /// whose topology comes from `deploy/rabbitmq/definitions.json` and whose user may not
    /// configure. A passive check cannot compare arguments, only existence.
    public var passive: Bool

    public init(
        exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = [],
        exchangeBindings: [ExchangeBinding] = [], passive: Bool = false
    ) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
        self.exchangeBindings = exchangeBindings
        self.passive = passive
    }
}

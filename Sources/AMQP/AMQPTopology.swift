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

extension AMQPTopology {
    public static let casesExchange = "mimamori.cases"
    /// The case queue's `x-dead-letter-exchange`, where the broker itself dead-letters (delivery
    /// limit, a copy the daemon could not publish). A fanout since the first release, and a
    /// live queue's argument cannot change: it only forwards to `deadLettersExchange` now.
    public static let deadExchange = "mimamori.dead"
    /// Topic exchange of the dead letters: each town's dead queue is bound to `case.<town>.#`,
    /// so towns sharing a vhost never receive each other's rejects.
    public static let deadLettersExchange = "mimamori.dead-letters"
    public static let statusExchange = "mimamori.status"

    public static func casesQueue(municipality: String) -> String { "mimamori.\(municipality).cases" }
    public static func deadQueue(municipality: String) -> String { "mimamori.\(municipality).dead" }

    /// Design 3.2: cases arrive on a topic exchange into a quorum queue per municipality; every
    /// rejected message reaches the municipality's dead queue through `mimamori.dead-letters`
    /// (routed by the case's own key); the daemon reports progress on `mimamori.status`. The
    /// dead queue's TTL and length are a broker policy (`deploy/rabbitmq/`), not arguments, so
    /// they can change on a live broker.
    /// - Parameters:
    ///   - deliveryLimit: redeliveries before RabbitMQ dead-letters a message by itself (a
    ///     message that crashes the daemon every time must not loop forever).
    public static func mimamori(municipality: String, deliveryLimit: Int = 5, passive: Bool = false)
        -> AMQPTopology
    {
        let cases = casesQueue(municipality: municipality)
        let dead = deadQueue(municipality: municipality)
        return AMQPTopology(
            exchanges: [
                Exchange(name: casesExchange, kind: .topic),
                Exchange(name: deadLettersExchange, kind: .topic),
                Exchange(name: deadExchange, kind: .fanout),
                Exchange(name: statusExchange, kind: .topic),
            ],
            queues: [
                Queue(
                    name: cases,
                    arguments: [
                        "x-queue-type": "quorum",
                        "x-dead-letter-exchange": .string(deadExchange),
                        "x-delivery-limit": .int(Int64(deliveryLimit)),
                        "x-single-active-consumer": true,
                    ]),
                Queue(name: dead, arguments: ["x-queue-type": "quorum"]),
            ],
            bindings: [
                Binding(queue: cases, exchange: casesExchange, routingKey: "case.\(municipality).*"),
                Binding(queue: dead, exchange: deadLettersExchange, routingKey: "case.\(municipality).#"),
            ],
            exchangeBindings: [
                ExchangeBinding(destination: deadLettersExchange, source: deadExchange, routingKey: "")
            ],
            passive: passive)
    }
}

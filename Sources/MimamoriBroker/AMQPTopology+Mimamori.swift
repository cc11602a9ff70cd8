import AMQP

// Mimamori's names on the broker. They are a contract with the police-linked publisher and
// with deploy/rabbitmq/definitions.json: code may move, these names stay.
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
    /// Concern reports (みまさかほっとネット), routed `concern.<town>.<kind>`.
    public static let concernsExchange = "mimamori.concerns"

    /// Our cases forwarded to partner towns (seed 004), routed `case.<partner>.<kind>`.
    public static let partnersExchange = "mimamori.partners"

    public static func casesQueue(municipality: String) -> String { "mimamori.\(municipality).cases" }
    /// Where our forwards to `partner` wait for the shovel that carries them to its broker.
    public static func forwardingQueue(municipality: String, partner: String) -> String {
        "mimamori.\(municipality).to-\(partner)"
    }
    public static func deadQueue(municipality: String) -> String { "mimamori.\(municipality).dead" }
    public static func concernsQueue(municipality: String) -> String { "mimamori.\(municipality).concerns" }

    /// Design 3.2: cases arrive on a topic exchange into a quorum queue per municipality; every
    /// rejected message reaches the municipality's dead queue through `mimamori.dead-letters`
    /// (routed by the case's own key); the daemon reports progress on `mimamori.status`. The
    /// dead queue's TTL and length are a broker policy (`deploy/rabbitmq/`), not arguments, so
    /// they can change on a live broker.
    /// - Parameters:
    ///   - deliveryLimit: redeliveries before RabbitMQ dead-letters a message by itself (a
    ///     message that crashes the daemon every time must not loop forever).
    ///   - concerns: the town takes concern reports: their exchange and queue (dead-lettered
    ///     like the cases, into the same dead queue) are declared too.
    ///   - partners: the partner towns our consented cases are forwarded to (`own-daemon`): the
    ///     exchange `mimamori.partners` and one forwarding queue per partner, which its shovel
    ///     empties into the partner's broker.
    public static func mimamori(
        municipality: String, deliveryLimit: Int = 5, passive: Bool = false, concerns: Bool = false, partners: [String] = []
    ) -> AMQPTopology {
        let cases = casesQueue(municipality: municipality)
        let dead = deadQueue(municipality: municipality)
        var topology = AMQPTopology(
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
        if !partners.isEmpty {
            topology.exchanges.append(Exchange(name: partnersExchange, kind: .topic))
            for partner in partners {
                let queue = forwardingQueue(municipality: municipality, partner: partner)
                topology.queues.append(Queue(name: queue, arguments: ["x-queue-type": "quorum"]))
                topology.bindings.append(Binding(queue: queue, exchange: partnersExchange, routingKey: "case.\(partner).*"))
            }
        }
        guard concerns else { return topology }
        let queue = concernsQueue(municipality: municipality)
        topology.exchanges.append(Exchange(name: concernsExchange, kind: .topic))
        topology.queues.append(
            Queue(
                name: queue,
                arguments: [
                    "x-queue-type": "quorum",
                    "x-dead-letter-exchange": .string(deadExchange),
                    "x-delivery-limit": .int(Int64(deliveryLimit)),
                    "x-single-active-consumer": true,
                ]))
        topology.bindings += [
            Binding(queue: queue, exchange: concernsExchange, routingKey: "concern.\(municipality).*"),
            Binding(queue: dead, exchange: deadLettersExchange, routingKey: "concern.\(municipality).#"),
        ]
        return topology
    }
}

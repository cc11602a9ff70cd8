// The AMQP target; see docs/architecture.md.

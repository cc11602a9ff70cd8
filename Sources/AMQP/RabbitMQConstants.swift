import CRabbitMQ

// rabbitmq-c's method ids are macros with a cast, which Swift does not import.
let AMQP_CONNECTION_CLOSE_METHOD_ID: amqp_method_number_t = 0x000A_0032
let AMQP_CONNECTION_CLOSE_OK_METHOD_ID: amqp_method_number_t = 0x000A_0033
let AMQP_CONNECTION_BLOCKED_METHOD_ID: amqp_method_number_t = 0x000A_003C
let AMQP_CONNECTION_UNBLOCKED_METHOD_ID: amqp_method_number_t = 0x000A_003D
let AMQP_CHANNEL_CLOSE_METHOD_ID: amqp_method_number_t = 0x0014_0028
let AMQP_CHANNEL_CLOSE_OK_METHOD_ID: amqp_method_number_t = 0x0014_0029
let AMQP_BASIC_DELIVER_METHOD_ID: amqp_method_number_t = 0x003C_003C
let AMQP_BASIC_RETURN_METHOD_ID: amqp_method_number_t = 0x003C_0032
let AMQP_BASIC_ACK_METHOD_ID: amqp_method_number_t = 0x003C_0050
let AMQP_BASIC_NACK_METHOD_ID: amqp_method_number_t = 0x003C_0078
let AMQP_BASIC_CANCEL_METHOD_ID: amqp_method_number_t = 0x003C_001E

/// `amqp_basic_properties_t._flags` bits (macros with shifts, spelled out here).
enum AMQPFlags {
    static let contentType: amqp_flags_t = 1 << 15
    static let headers: amqp_flags_t = 1 << 13
    static let deliveryMode: amqp_flags_t = 1 << 12
    static let messageID: amqp_flags_t = 1 << 7
    static let userID: amqp_flags_t = 1 << 4
}

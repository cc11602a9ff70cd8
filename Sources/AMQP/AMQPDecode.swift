import CRabbitMQ

/// Reading tables and bytes that rabbitmq-c decoded into its pools: everything is copied into
/// Swift values before the pool is released.
enum AMQPDecode {
    static func bytes(_ b: amqp_bytes_t) -> [UInt8] {
        guard b.len > 0, let pointer = b.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: b.len))
    }

    static func string(_ b: amqp_bytes_t) -> String {
        String(decoding: bytes(b), as: UTF8.self)
    }

    /// How deep nested tables and arrays are kept. A header table may nest thousands deep within
    /// one frame; a value that deep would overflow the stack when Swift releases it (and in every
    /// recursive walk). RabbitMQ's own `x-death` history is three deep.
    static let maxDepth = 16

    static func table(_ t: amqp_table_t, depth: Int = 0) -> [String: AMQPHeaderValue] {
        var result: [String: AMQPHeaderValue] = [:]
        guard t.num_entries > 0, let entries = t.entries else { return result }
        for index in 0..<Int(t.num_entries) {
            let entry = entries[index]
            result[string(entry.key)] = value(entry.value, depth: depth)
        }
        return result
    }

    /// Nested tables and arrays deeper than `maxDepth` become `.void`.
    static func value(_ field: amqp_field_value_t, depth: Int = 0) -> AMQPHeaderValue {
        let v = field.value
        switch UInt32(field.kind) {
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: return .bool(v.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: return .int(Int64(v.i8))
        case AMQP_FIELD_KIND_U8.rawValue: return .int(Int64(v.u8))
        case AMQP_FIELD_KIND_I16.rawValue: return .int(Int64(v.i16))
        case AMQP_FIELD_KIND_U16.rawValue: return .int(Int64(v.u16))
        case AMQP_FIELD_KIND_I32.rawValue: return .int(Int64(v.i32))
        case AMQP_FIELD_KIND_U32.rawValue: return .int(Int64(v.u32))
        case AMQP_FIELD_KIND_I64.rawValue: return .int(v.i64)
        case AMQP_FIELD_KIND_U64.rawValue: return .int(Int64(truncatingIfNeeded: v.u64))
        case AMQP_FIELD_KIND_F32.rawValue: return .double(Double(v.f32))
        case AMQP_FIELD_KIND_F64.rawValue: return .double(v.f64)
        case AMQP_FIELD_KIND_DECIMAL.rawValue:
            var d = Double(v.decimal.value)
            for _ in 0..<v.decimal.decimals { d /= 10 }
            return .double(d)
        case AMQP_FIELD_KIND_UTF8.rawValue: return .string(string(v.bytes))
        case AMQP_FIELD_KIND_BYTES.rawValue: return .bytes(bytes(v.bytes))
        case AMQP_FIELD_KIND_TIMESTAMP.rawValue: return .timestamp(v.u64)
        case AMQP_FIELD_KIND_TABLE.rawValue:
            guard depth < maxDepth else { return .void }
            return .table(table(v.table, depth: depth + 1))
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            guard depth < maxDepth else { return .void }
            guard v.array.num_entries > 0, let entries = v.array.entries else { return .array([]) }
            return .array((0..<Int(v.array.num_entries)).map { value(entries[$0], depth: depth + 1) })
        default: return .void
        }
    }
}

import CRabbitMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// C memory for one outgoing `amqp_table_t` (arguments of a declaration, headers of a
/// publish). rabbitmq-c only borrows the pointers while the call that takes the table runs, so
/// every key, string and nested entry is copied into malloc'd memory that lives exactly as long
/// as this object; a Swift string's own pointer would die when `withCString` returns (known
/// ground: a queue was once created under the name of whatever reused that memory).
/// Not Sendable: built and used on the connection thread only.
final class AMQPTableStorage {
    private var allocations: [UnsafeMutableRawPointer] = []
    private(set) var table = amqp_table_t(num_entries: 0, entries: nil)

    init(_ headers: [String: AMQPHeaderValue]) {
        table = makeTable(headers)
    }

    deinit {
        for pointer in allocations { free(pointer) }
    }

    /// Bytes that live as long as `self`.
    func bytes<S: Collection<UInt8>>(_ source: S) -> amqp_bytes_t {
        guard !source.isEmpty else { return amqp_bytes_t(len: 0, bytes: nil) }
        let memory = malloc(source.count)!
        allocations.append(memory)
        let buffer = UnsafeMutableRawBufferPointer(start: memory, count: source.count)
        buffer.copyBytes(from: source)
        return amqp_bytes_t(len: source.count, bytes: memory)
    }

    func bytes(_ string: String) -> amqp_bytes_t { bytes(Array(string.utf8)) }

    private func makeTable(_ headers: [String: AMQPHeaderValue]) -> amqp_table_t {
        guard !headers.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: headers.count)
        allocations.append(UnsafeMutableRawPointer(entries))
        // Sorted so the same headers always encode the same way (stable for tests and logs).
        for (index, (key, value)) in headers.sorted(by: { $0.key < $1.key }).enumerated() {
            (entries + index).initialize(
                to: amqp_table_entry_t(key: bytes(key), value: fieldValue(value)))
        }
        return amqp_table_t(num_entries: Int32(headers.count), entries: entries)
    }

    private func fieldValue(_ value: AMQPHeaderValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .string(let s):
            field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
            field.value.bytes = bytes(s)
        case .int(let i):
            field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
            field.value.i64 = i
        case .bool(let b):
            field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
            field.value.boolean = b ? 1 : 0
        case .double(let d):
            field.kind = UInt8(AMQP_FIELD_KIND_F64.rawValue)
            field.value.f64 = d
        case .bytes(let b):
            field.kind = UInt8(AMQP_FIELD_KIND_BYTES.rawValue)
            field.value.bytes = bytes(b)
        case .timestamp(let t):
            field.kind = UInt8(AMQP_FIELD_KIND_TIMESTAMP.rawValue)
            field.value.u64 = t
        case .array(let items):
            field.kind = UInt8(AMQP_FIELD_KIND_ARRAY.rawValue)
            if items.isEmpty {
                field.value.array = amqp_array_t(num_entries: 0, entries: nil)
            } else {
                let entries = UnsafeMutablePointer<amqp_field_value_t>.allocate(capacity: items.count)
                allocations.append(UnsafeMutableRawPointer(entries))
                for (index, item) in items.enumerated() {
                    (entries + index).initialize(to: fieldValue(item))
                }
                field.value.array = amqp_array_t(num_entries: Int32(items.count), entries: entries)
            }
        case .table(let nested):
            field.kind = UInt8(AMQP_FIELD_KIND_TABLE.rawValue)
            field.value.table = makeTable(nested)
        case .void:
            field.kind = UInt8(AMQP_FIELD_KIND_VOID.rawValue)
        }
        return field
    }
}

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

    static func table(_ t: amqp_table_t) -> [String: AMQPHeaderValue] {
        var result: [String: AMQPHeaderValue] = [:]
        guard t.num_entries > 0, let entries = t.entries else { return result }
        for index in 0..<Int(t.num_entries) {
            let entry = entries[index]
            result[string(entry.key)] = value(entry.value)
        }
        return result
    }

    static func value(_ field: amqp_field_value_t) -> AMQPHeaderValue {
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
        case AMQP_FIELD_KIND_TABLE.rawValue: return .table(table(v.table))
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            guard v.array.num_entries > 0, let entries = v.array.entries else { return .array([]) }
            return .array((0..<Int(v.array.num_entries)).map { value(entries[$0]) })
        default: return .void
        }
    }
}

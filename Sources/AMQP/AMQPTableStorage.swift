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

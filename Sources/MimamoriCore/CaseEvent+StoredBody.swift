import Foundation

/// The body the ledger keeps until the retention ends: the publisher's event as it came, but with
/// the photo the notices use (cleaned of its metadata) or without the photo when the intake left
/// it out. The signature was verified on the original bytes before; the stored body is only ever
/// read back by this daemon (a held alert released by the staff), never verified again.
extension CaseEvent {
    /// `body` with its `photo` replaced by `photo` (nil: `"photo": null`); nil when `body` is
    /// not a JSON object (it always is once `decode` accepted it). Keys come out sorted, numbers
    /// and strings as `decode` read them.
    public static func storedBody(_ body: [UInt8], photo: Photo?, limits: Limits = .default) -> [UInt8]? {
        guard case .success(.object(var object)) = JSONValue.parse(body, maxDepth: limits.maxDepth) else { return nil }
        if let photo {
            object["photo"] = .object(["mediaType": .string(photo.mediaType.rawValue), "data": .string(photo.data.base64EncodedString())])
        } else if object["photo"] != nil {
            object["photo"] = .null
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        JSONValue.object(object).write(to: &out)
        return out
    }
}

extension JSONValue {
    /// RFC 8259 text of the value, keys sorted.
    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let value): out += Array(String(value).utf8)
        case .double(let value): out += Array("\(value)".utf8)
        case .string(let text): Self.write(text, to: &out)
        case .array(let values):
            out.append(0x5B)
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(0x2C) }
                value.write(to: &out)
            }
            out.append(0x5D)
        case .object(let members):
            out.append(0x7B)
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out.append(0x2C) }
                Self.write(key, to: &out)
                out.append(0x3A)
                members[key]!.write(to: &out)
            }
            out.append(0x7D)
        }
    }

    static func write(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}

/// A parsed JSON document kept untyped, so that validation can name the exact field that is
/// missing or of the wrong type (JSONDecoder's errors cannot be turned into stable reasons).
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type name used in error messages ("expected string").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    enum ParseError: Error, Sendable, Hashable {
        /// Not RFC 8259 JSON in UTF-8 (this includes UTF-16/32 bodies, which hold NUL bytes).
        case invalid
        /// Arrays and objects nested deeper than the limit.
        case tooDeep
        /// An object names the same key twice: which one the publisher meant is unknowable.
        case duplicateKey
    }

    /// Parses one JSON document (RFC 8259, UTF-8, an optional UTF-8 byte order mark).
    ///
    /// Hand-written instead of `JSONDecoder` + `Decodable`: that path costs time quadratic in the
    /// nesting depth (a 4 MiB body of nested arrays took minutes), and it silently keeps the first
    /// of two equal keys and reads UTF-16 bodies. One pass, nesting bounded by `maxDepth`, so the
    /// recursion is too. Numbers: an integral value that fits `Int` (`82`, `82.0`, `1e2`) is
    /// `.int`, any other finite number `.double`; a number that overflows `Double` is invalid.
    static func parse(_ bytes: [UInt8], maxDepth: Int) -> Result<JSONValue, ParseError> {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            return Result { () throws(ParseError) -> JSONValue in try parser.document() }
        }
    }
}

/// The parser behind `JSONValue.parse`; lives only for the duration of one call.
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    typealias ParseError = JSONValue.ParseError

    mutating func document() throws(ParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        let value = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw .invalid }
        return value
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws(ParseError) {
        guard current == byte else { throw .invalid }
        index += 1
    }

    mutating func literal(_ text: StaticString) throws(ParseError) {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw .invalid }
        let pointer = text.utf8Start
        for k in 0..<count where bytes[index + k] != pointer[k] { throw .invalid }
        index += count
    }

    /// `depth`: the number of arrays and objects around this value.
    mutating func value(depth: Int) throws(ParseError) -> JSONValue {
        switch current {
        case 0x7B?: return try object(depth: depth + 1)
        case 0x5B?: return try array(depth: depth + 1)
        case 0x22?: return .string(try string())
        case 0x74?:
            try literal("true")
            return .bool(true)
        case 0x66?:
            try literal("false")
            return .bool(false)
        case 0x6E?:
            try literal("null")
            return .null
        case let byte? where byte == 0x2D || (0x30...0x39).contains(byte): return try number()
        default: throw .invalid
        }
    }

    mutating func object(depth: Int) throws(ParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep }
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == 0x7D {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == 0x22 else { throw .invalid }
            let key = try string()
            skipWhitespace()
            try expect(0x3A)  // :
            skipWhitespace()
            let member = try value(depth: depth)
            guard members.updateValue(member, forKey: key) == nil else { throw .duplicateKey }
            skipWhitespace()
            switch current {
            case 0x2C?: index += 1
            case 0x7D?:
                index += 1
                return .object(members)
            default: throw .invalid
            }
        }
    }

    mutating func array(depth: Int) throws(ParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == 0x5D {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case 0x2C?: index += 1
            case 0x5D?:
                index += 1
                return .array(elements)
            default: throw .invalid
            }
        }
    }

    /// The body was validated as UTF-8 before parsing, so bytes are copied as they are.
    mutating func string() throws(ParseError) -> String {
        index += 1  // "
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw .invalid }
            index += 1
            switch byte {
            case 0x22:
                return String(decoding: utf8, as: UTF8.self)
            case 0x5C:
                guard let escaped = current else { throw .invalid }
                index += 1
                switch escaped {
                case 0x22, 0x5C, 0x2F: utf8.append(escaped)
                case 0x62: utf8.append(0x08)
                case 0x66: utf8.append(0x0C)
                case 0x6E: utf8.append(0x0A)
                case 0x72: utf8.append(0x0D)
                case 0x74: utf8.append(0x09)
                case 0x75: utf8.append(contentsOf: try unicodeEscape())
                default: throw .invalid
                }
            case 0x00..<0x20:
                throw .invalid  // control characters must be escaped inside strings
            default:
                utf8.append(byte)
            }
        }
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD83D\uDE00`; a lone surrogate is invalid.
    mutating func unicodeEscape() throws(ParseError) -> String.UTF8View {
        let first = try hex4()
        var scalarValue = first
        if (0xD800...0xDBFF).contains(first) {
            try expect(0x5C)
            try expect(0x75)
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw .invalid }
            scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw .invalid }
        return String(Character(scalar)).utf8
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw .invalid }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw .invalid
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func number() throws(ParseError) -> JSONValue {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while let byte = parser.current, (0x30...0x39).contains(byte) { parser.index += 1 }
            return parser.index - from
        }
        if current == 0x2D { index += 1 }
        if current == 0x30 {
            index += 1
        } else {
            guard digits(&self) > 0 else { throw .invalid }
        }
        var integral = true
        if current == 0x2E {
            index += 1
            integral = false
            guard digits(&self) > 0 else { throw .invalid }
        }
        if current == 0x65 || current == 0x45 {
            index += 1
            integral = false
            if current == 0x2B || current == 0x2D { index += 1 }
            guard digits(&self) > 0 else { throw .invalid }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { throw .invalid }
        // 82.0 and 1e2 are integers, as JSONDecoder read them; 2^63 and beyond stay doubles.
        if double == double.rounded(), double >= -0x1p63, double < 0x1p63 { return .int(Int(double)) }
        return .double(double)
    }
}

import Foundation

extension CooperatorDirectory {
    /// The result of reading `cooperators.csv`: the usable directory and every rejected row.
    public struct Loaded: Sendable, Hashable {
        public var directory: CooperatorDirectory
        public var problems: [RowProblem]
        public var encoding: TextEncoding
        /// The line each accepted row starts on, for messages about it.
        public var lines: [RecipientID: Int] = [:]
    }

    public enum TextEncoding: String, Sendable, Hashable {
        case utf8 = "UTF-8"
        case utf8WithBOM = "UTF-8 with BOM"
        case windows31J = "Windows-31J (CP932)"
    }

    /// A rejected row. `message` names the column and the id, never the person's name.
    public struct RowProblem: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var id: String?
        public var message: String
        public var description: String { "cooperators.csv line \(line)" + (id.map { " (\($0))" } ?? "") + ": \(message)" }
    }

    public enum FileError: Error, Sendable, Hashable, CustomStringConvertible {
        case undecodable
        case missingColumns([String])
        case empty
        public var description: String {
            switch self {
            case .undecodable: "cooperators.csv is neither UTF-8 nor Windows-31J (Shift_JIS): save it again as CSV UTF-8"
            case .missingColumns(let cols):
                "cooperators.csv header lacks \(cols.joined(separator: ", ")): the first line must name id,name,channel,address,areas,municipality,active"
            case .empty: "cooperators.csv is empty: it needs a header line"
            }
        }
    }

    public static let columns = ["id", "name", "channel", "address", "areas", "municipality", "active"]

    /// Reads the file's bytes. Valid UTF-8 (with or without BOM) is read as UTF-8; anything else
    /// as Windows-31J, the Shift_JIS that Excel on Japanese Windows writes (髙, 﨑 and the NEC/IBM
    /// extensions decode: proven by a test fixture made with `iconv -t CP932`).
    ///
    /// Areas are separated by `;`, `・`, `、` or spaces (ASCII or full-width): offices write lists
    /// all those ways, and no area name contains them.
    public static func load(csv bytes: Data) throws(FileError) -> Loaded {
        let (text, encoding) = try decodeText(bytes)
        var records = CSVRecords.parse(text)
        guard !records.isEmpty else { throw .empty }
        let header = records.removeFirst().fields.map { $0.trimmingBlanks().lowercased() }
        let missing = columns.filter { !header.contains($0) }
        guard missing.isEmpty else { throw .missingColumns(missing) }
        let index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })

        var accepted: [Cooperator] = []
        var problems: [RowProblem] = []
        var seenIDs: [String: Int] = [:]
        var seenAddresses: [String: String] = [:]
        var lines: [RecipientID: Int] = [:]
        for record in records {
            if record.fields.allSatisfy({ $0.trimmingBlanks().isEmpty }) { continue }
            if let problem = record.problem {
                problems.append(RowProblem(line: record.line, id: nil, message: problem))
                continue
            }
            func field(_ name: String) -> String {
                let i = index[name]!
                return i < record.fields.count ? record.fields[i].trimmingBlanks() : ""
            }
            let id = field("id")
            func reject(_ message: String) {
                problems.append(RowProblem(line: record.line, id: id.isEmpty ? nil : id, message: message))
            }
            guard !id.isEmpty else {
                reject("id is empty")
                continue
            }
            guard PublisherKeys.isValidKeyID(id), id != RecipientID.radio.rawValue else {
                reject("id must be letters, digits, '-', '_' or '.' (and not \"radio\")")
                continue
            }
            if let first = seenIDs[id] {
                reject("id is a duplicate of line \(first)")
                continue
            }
            let name = field("name")
            guard !name.isEmpty else {
                reject("name is empty")
                continue
            }
            guard let channel = Channel(rawValue: field("channel").lowercased()), channel != .radio else {
                reject("channel must be fax or email")
                continue
            }
            let address: String
            switch channel {
            case .email:
                guard let email = Addresses.normalisedEmail(field("address")) else {
                    reject("address is not a valid email address")
                    continue
                }
                address = email
            case .fax, .radio:
                guard let fax = Addresses.normalisedFaxNumber(field("address")) else {
                    reject("address is not a Japanese FAX number (e.g. 073-489-9960 or +81734899960)")
                    continue
                }
                address = fax
            }
            let municipality = field("municipality")
            guard !municipality.isEmpty else {
                reject("municipality is empty")
                continue
            }
            guard let active = parseActive(field("active")) else {
                reject("active must be one of true/false, yes/no, 1/0, ○/×")
                continue
            }
            let addressKey = "\(channel.rawValue):\(address.lowercased())"
            if let other = seenAddresses[addressKey] {
                reject("address is the same as \(other)'s")
                continue
            }
            seenIDs[id] = record.line
            seenAddresses[addressKey] = id
            lines[RecipientID(id)] = record.line
            accepted.append(
                Cooperator(
                    id: RecipientID(id), name: name, channel: channel, address: address,
                    areas: splitAreas(field("areas")), municipality: municipality, active: active))
        }
        return Loaded(directory: CooperatorDirectory(accepted), problems: problems, encoding: encoding, lines: lines)
    }

    static func decodeText(_ bytes: Data) throws(FileError) -> (String, TextEncoding) {
        guard let decoded = CSVRecords.decode(bytes) else { throw .undecodable }
        return decoded
    }

    static func splitAreas(_ text: String) -> [String] {
        text.split(whereSeparator: { ";；・、 \u{3000},".contains($0) }).map(String.init)
    }

    static func parseActive(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "true", "yes", "1", "○", "◯", "有効": true
        case "false", "no", "0", "×", "無効": false
        default: nil
        }
    }
}

/// RFC 4180 records with the line each starts on (quoted fields may span lines).
struct CSVRecords {
    /// A spreadsheet's CSV as text: valid UTF-8 (with or without BOM) as UTF-8, anything else
    /// as Windows-31J, the Shift_JIS that Excel on Japanese Windows writes ("CSV (コンマ区切り)");
    /// nil when it is neither. Every CSV staff hand in (cooperators.csv, 様式第1号) is read so.
    static func decode(_ bytes: Data) -> (String, CooperatorDirectory.TextEncoding)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]), let text = String(validating: bytes.dropFirst(3), as: UTF8.self) {
            return (text, .utf8WithBOM)
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        if let text = String(data: bytes, encoding: .shiftJIS) { return (text, .windows31J) }
        return nil
    }

    struct Record {
        var line: Int
        var fields: [String]
        /// Set when the record is malformed (an unterminated quote, text after a closing quote).
        var problem: String?
    }

    /// Works on the UTF-8 bytes: every character that means something to CSV (`,` `"` CR LF
    /// and the space after a closing quote) is ASCII, and every other byte is copied as is, so
    /// fields come out exactly as a walk over the characters would make them, without building
    /// each one a scalar at a time.
    static func parse(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var startLine = 1
        var inQuotes = false
        var afterQuote = false
        var problem: String?
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let space = UInt8(ascii: " ")
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            records.append(Record(line: startLine, fields: fields, problem: problem))
            fields = []
            problem = nil
            afterQuote = false
        }
        var bytes = text
        bytes.withUTF8 { buffer in
            let count = buffer.count
            var i = 0
            while i < count {
                let c = buffer[i]
                i += 1
                let next: UInt8? = i < count ? buffer[i] : nil
                if inQuotes {
                    if c == quote {
                        if next == quote {
                            i += 1
                            field.append(quote)
                        } else {
                            inQuotes = false
                            afterQuote = true
                        }
                    } else {
                        if c == lf { line += 1 }
                        if c == cr, next == lf { continue }
                        field.append(c)
                    }
                    continue
                }
                switch c {
                case comma:
                    endField()
                    afterQuote = false
                case cr, lf:
                    if c == cr, next == lf { i += 1 }
                    endRecord()
                    line += 1
                    startLine = line
                case quote where !afterQuote && String(decoding: field, as: UTF8.self).trimmingBlanks().isEmpty:
                    field.removeAll(keepingCapacity: true)
                    inQuotes = true
                default:
                    if afterQuote, c != space { problem = problem ?? "text after a closing quote" }
                    field.append(c)
                }
            }
        }
        if inQuotes { problem = "a quoted field is not closed" }
        if !field.isEmpty || !fields.isEmpty || inQuotes { endRecord() }
        return records
    }
}

import Foundation
import Logging
import MimamoriService

/// One logfmt line per fact on stdout; journald adds the time, so we do not.
///
/// `level=info event=delivery.accepted case=KN-0042 channel=email recipient=vol-017 ms=42`
///
/// The message is the event name (a short verb of what happened); everything else is metadata,
/// attached only through `LogKey`, so that nothing but ids, counts and reasons reaches the journal.
///
/// Written to the journal, each line starts with its syslog priority (`<3>` for an error), which
/// journald takes off and keeps as the entry's priority: `journalctl -u mimamorid -p warning`
/// then shows only what needs a person, errors stand out in colour, and a burst of the
/// fan-out's info lines cannot use up the rate limit of the errors (journald keeps errors,
/// warnings and info in pools of their own). Without the prefix every line was info.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink
    /// Whether each line starts with `<priority>` (stdout is the journal: `JournalStream`).
    private let priorityPrefix: Bool

    public init(label: String, level: Logger.Level = .info, sink: LogSink = .standardOutput, priorityPrefix: Bool = false) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.priorityPrefix = priorityPrefix
    }

    /// The syslog priority journald files a line of this level under.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = priorityPrefix ? "<\(Self.syslogPriority(event.level))>" : ""
        line += "level=\(event.level.rawValue) event=\(Self.quoted(event.message.description))"
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quoted(Self.flatten(merged[key]!)))"
        }
        line += "\n"
        sink.write(line)
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let a): a.map(flatten).joined(separator: ",")
        case .dictionary(let d): d.keys.sorted().map { "\($0):\(flatten(d[$0]!))" }.joined(separator: ",")
        }
    }

    /// Quotes a value when logfmt needs it; control characters are escaped so that one fact
    /// always stays one line, whatever arrives in an error text.
    static func quoted(_ value: String) -> String {
        if !value.isEmpty,
            value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 0x7F })
        {
            return value
        }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Where log lines go: stdout for journald, or a closure in tests.
public struct LogSink: Sendable {
    let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) { self.write = write }

    /// Whole lines with one `write(2)` each, so that lines from several threads never interleave.
    public static let standardOutput = LogSink { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

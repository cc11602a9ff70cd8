import ArgumentParser
import Foundation
import MimamoriCore

/// A concern report file as staff write it: JSON as published, or the same fields in YAML, read
/// as `mimamori concern report` reads it (`ConcernReportFile.body`).
enum ConcernEventFile {
    /// The file's body as the JSON the event decoder reads, or its problem on stderr.
    static func json(_ path: String) throws -> Data {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            printError("\(path): cannot read (\(error.localizedDescription))")
            throw ExitCode.failure
        }
        do {
            return Data(try ConcernReportFile.body(String(decoding: data, as: UTF8.self)))
        } catch {
            printError("\(path): \(error)")
            throw ExitCode.failure
        }
    }

    /// The decoded event, or its problem (field path, never a value) on stderr.
    static func event(_ path: String) throws -> ConcernEvent {
        let body = try json(path)
        do {
            return try ConcernEvent.decode(body)
        } catch {
            printError("\(path): \(error)")
            throw ExitCode.failure
        }
    }
}

/// `--at`: RFC 3339 with an offset, or a date and time on the town's clock (`2026-12-02 17:59`).
func townInstant(_ text: String?, option: String) throws -> Date {
    guard let text else { return Date() }
    if let parsed = Timestamp.parse(text) { return parsed }
    if let match = text.wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})/),
        let date = townDate(
            "\(match.1)-\(match.2)-\(match.3)"), let time = TimeOfDay("\(match.4):\(match.5)")
    {
        return JapaneseCalendar.instant(date, time)
    }
    throw ValidationError("\(option) must be RFC 3339 (2026-12-02T17:59:00+09:00) or a time in Japan (2026-12-02 17:59), not '\(text)'")
}

/// `2026-11-23`, or nil when it is no such day.
func townDate(_ text: String) -> LocalDate? {
    guard let match = text.wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})/), let y = Int(match.1), let m = Int(match.2), let d = Int(match.3),
        (1...12).contains(m), (1...31).contains(d)
    else { return nil }
    let date = LocalDate(y, m, d)
    return LocalDate(dayNumber: date.dayNumber) == date ? date : nil
}

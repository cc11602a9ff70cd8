import Foundation

extension MIMEMessage {
    /// RFC 5322 3.3 date-time, e.g. `Fri, 27 Nov 2026 18:05:00 +0900`: English names whatever
    /// the machine's locale. Computed by arithmetic from the zone's offset (no Calendar, which
    /// costs more than the rest of a message when rendered per recipient).
    static func rfc5322Date(_ date: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let (days, seconds) = local.quotientAndRemainder(dividingBy: 86_400)
        let day = seconds < 0 ? days - 1 : days
        let second = seconds < 0 ? seconds + 86_400 : seconds
        let (year, month, dayOfMonth) = civil(fromDays: day)
        let weekday = ((day % 7) + 11) % 7  // 1970-01-01 was a Thursday (index 4, Sun = 0)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let minutes = abs(offset) / 60
        return "\(names[weekday]), \(dayOfMonth) \(months[month - 1]) \(year) "
            + "\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60)) "
            + "\(offset < 0 ? "-" : "+")\(two(minutes / 60))\(two(minutes % 60))"
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
    static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

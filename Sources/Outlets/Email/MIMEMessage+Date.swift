import Foundation
import Timing

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
        let (year, month, dayOfMonth) = CivilDays.civil(fromDays: day)
        let weekday = ((day % 7) + 11) % 7  // 1970-01-01 was a Thursday (index 4, Sun = 0)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let minutes = abs(offset) / 60
        return "\(names[weekday]), \(dayOfMonth) \(months[month - 1]) \(year) "
            + "\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60)) "
            + "\(offset < 0 ? "-" : "+")\(two(minutes / 60))\(two(minutes % 60))"
    }
}

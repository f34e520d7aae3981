/// ISO 8601 text written straight into UTF-8 bytes, for output of hundreds of thousands of lines.
extension LocalDate {
    /// `YYYY-MM-DD` appended to `out`; the same text as `description`.
    public func appendISO(to out: inout [UInt8]) {
        guard (0...9999).contains(year) else {
            out.append(contentsOf: description.utf8)
            return
        }
        out.append(UInt8(ascii: "0") + UInt8(year / 1000))
        out.append(UInt8(ascii: "0") + UInt8(year / 100 % 10))
        out.append(UInt8(ascii: "0") + UInt8(year / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(year % 10))
        out.append(UInt8(ascii: "-"))
        Self.appendTwo(month, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendTwo(day, to: &out)
    }

    /// A number below 100 as two digits.
    static func appendTwo(_ n: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") + UInt8(n / 10))
        out.append(UInt8(ascii: "0") + UInt8(n % 10))
    }
}

extension ZoneRules {
    /// `iso8601(_:)` appended to `out` without making a string: `2027-02-11T10:00:00+01:00`.
    public func appendISO8601(_ instant: Instant, to out: inout [UInt8]) {
        let offset = offset(at: instant)
        let (date, second) = instant.adding(seconds: Int64(offset)).utcParts
        let minutes = abs(offset) / 60
        guard (0...9999).contains(date.year), minutes / 60 < 100 else {
            out.append(contentsOf: iso8601(instant).utf8)
            return
        }
        date.appendISO(to: &out)
        out.append(UInt8(ascii: "T"))
        LocalDate.appendTwo(second / 3600, to: &out)
        out.append(UInt8(ascii: ":"))
        LocalDate.appendTwo(second / 60 % 60, to: &out)
        out.append(UInt8(ascii: ":"))
        LocalDate.appendTwo(second % 60, to: &out)
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        LocalDate.appendTwo(minutes / 60, to: &out)
        out.append(UInt8(ascii: ":"))
        LocalDate.appendTwo(minutes % 60, to: &out)
    }
}

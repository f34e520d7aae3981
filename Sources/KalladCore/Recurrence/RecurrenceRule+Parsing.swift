extension RecurrenceRule {
    /// Parses RFC 5545 `RRULE` text such as `FREQ=MONTHLY;BYDAY=2TH`, with or without the `RRULE:` prefix.
    ///
    /// Names and values are case-insensitive and the parts may come in any order; one trailing `;` is allowed.
    /// On failure the error's `offset` is the `Character` offset in `text` where the bad part or value starts.
    public static func parse(_ text: String) -> Result<RecurrenceRule, RecurrenceError> {
        var parser = RuleParser(text: text)
        do {
            return .success(try parser.parse())
        } catch {
            return .failure(error)
        }
    }
}

/// The parts a rule was written with, and where, for the checks that span parts.
private struct RuleParser {
    let chars: [Character]
    var frequency: (value: RecurrenceRule.Frequency, offset: Int)?
    var interval = 1
    var count: (value: Int, offset: Int)?
    var until: (value: RecurrenceRule.Until, offset: Int)?
    var byMonth: [Int] = []
    var byMonthDay: (values: [Int], offset: Int)?
    var byDay: [(value: RecurrenceRule.WeekdayNum, offset: Int)] = []
    var bySetPos: (values: [Int], offset: Int)?
    var weekStart = Weekday.monday
    var seen: Set<String> = []

    init(text: String) { chars = Array(text) }

    typealias Failure = RecurrenceError
    typealias Code = RecurrenceError.Code

    static let unsupportedParts: [String: String] = [
        "BYHOUR": "BYHOUR is not supported: every occurrence has the time of day of DTSTART; "
            + "write one meeting per time of day instead",
        "BYMINUTE": "BYMINUTE is not supported: every occurrence has the time of day of DTSTART; "
            + "write one meeting per time of day instead",
        "BYSECOND": "BYSECOND is not supported: every occurrence has the time of day of DTSTART; remove it",
        "BYWEEKNO": "BYWEEKNO is not supported: week numbers depend on WKST and cross years; "
            + "use BYMONTH with BYDAY or BYMONTHDAY instead",
        "BYYEARDAY": "BYYEARDAY is not supported: use BYMONTH with BYMONTHDAY instead",
    ]

    static let examples: [String: String] = [
        "FREQ": "MONTHLY", "INTERVAL": "2", "COUNT": "10", "UNTIL": "20271231", "BYMONTH": "1,6",
        "BYMONTHDAY": "1,-1", "BYDAY": "MO,WE or BYDAY=2TH", "BYSETPOS": "-1", "WKST": "MO",
    ]

    mutating func parse() throws(Failure) -> RecurrenceRule {
        guard !chars.isEmpty else {
            throw Failure(code: Code.empty, message: "the rule is empty; write e.g. FREQ=MONTHLY;BYDAY=2TH", offset: 0)
        }
        var start = 0
        if chars.count >= 6, String(chars[0..<6]).uppercased() == "RRULE:" { start = 6 }
        guard start < chars.count else {
            throw Failure(
                code: Code.empty, message: "the rule is empty; write e.g. RRULE:FREQ=MONTHLY;BYDAY=2TH",
                offset: start)
        }
        var partStart = start
        while partStart <= chars.count {
            var end = partStart
            while end < chars.count, chars[end] != ";" { end += 1 }
            if end == partStart {
                // An empty part: allowed only as one trailing ';'.
                if end == chars.count, end > start { break }
                throw Failure(
                    code: Code.syntax,
                    message: "empty rule part; parts are NAME=VALUE separated by single ';', e.g. FREQ=WEEKLY;BYDAY=MO",
                    offset: partStart)
            }
            try parsePart(from: partStart, to: end)
            partStart = end + 1
        }
        return try build(textStart: start)
    }

    mutating func parsePart(from start: Int, to end: Int) throws(Failure) {
        guard let equals = chars[start..<end].firstIndex(of: "=") else {
            throw Failure(
                code: Code.syntax,
                message: "'\(String(chars[start..<end]))' is not NAME=VALUE; write e.g. FREQ=WEEKLY",
                offset: start)
        }
        let name = String(chars[start..<equals]).uppercased()
        if name.contains(where: \.isWhitespace) {
            throw Failure(
                code: Code.syntax, message: "'\(name)' contains a space; write parts without spaces, e.g. FREQ=WEEKLY",
                offset: start)
        }
        let valueStart = equals + 1
        let value = String(chars[valueStart..<end]).uppercased()
        if let why = Self.unsupportedParts[name] {
            throw Failure(code: Code.unsupported, message: why, offset: start)
        }
        let known = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST"]
        guard known.contains(name) else {
            throw Failure(
                code: Code.unknownPart,
                message: "unknown rule part '\(String(chars[start..<equals]))'; Kallad knows "
                    + known.joined(separator: ", "),
                offset: start)
        }
        guard seen.insert(name).inserted else {
            throw Failure(code: Code.duplicatePart, message: "\(name) is given twice; give it once", offset: start)
        }
        guard valueStart < end else {
            throw Failure(
                code: Code.badValue, message: "\(name) has no value; write e.g. \(name)=\(Self.examples[name] ?? "")",
                offset: valueStart)
        }
        switch name {
        case "FREQ":
            frequency = (try parseFrequency(value, at: valueStart), start)
        case "INTERVAL":
            interval = try integer(value, name: name, range: 1...1000, at: valueStart)
        case "COUNT":
            count = (try integer(value, name: name, range: 1...1_000_000, at: valueStart), start)
        case "UNTIL":
            until = (try parseUntil(value, at: valueStart), start)
        case "BYMONTH":
            byMonth = try list(value, at: valueStart) { item, offset throws(Failure) in
                try integer(item, name: name, range: 1...12, at: offset)
            }.map(\.value)
        case "BYMONTHDAY":
            let values = try list(value, at: valueStart) { item, offset throws(Failure) in
                try integer(item, name: name, range: -31...31, nonZero: true, at: offset)
            }
            byMonthDay = (values.map(\.value), start)
        case "BYDAY":
            byDay = try list(value, at: valueStart) { item, offset throws(Failure) in
                try parseWeekdayNum(item, at: offset)
            }
        case "BYSETPOS":
            let values = try list(value, at: valueStart) { item, offset throws(Failure) in
                try integer(item, name: name, range: -366...366, nonZero: true, at: offset)
            }
            bySetPos = (values.map(\.value), start)
        default:  // WKST
            guard let day = Weekday(rawValue: value) else {
                throw Failure(
                    code: Code.badValue, message: "WKST=\(value) is not a weekday; write one of MO TU WE TH FR SA SU",
                    offset: valueStart)
            }
            weekStart = day
        }
    }

    func parseFrequency(_ value: String, at offset: Int) throws(Failure) -> RecurrenceRule.Frequency {
        if let frequency = RecurrenceRule.Frequency(rawValue: value) { return frequency }
        let hint: String
        switch value {
        case "DAILY":
            hint = "FREQ=DAILY is not supported; for working days write FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        case "HOURLY", "MINUTELY", "SECONDLY":
            hint = "FREQ=\(value) is not supported; meetings recur WEEKLY, MONTHLY or YEARLY"
        default:
            throw Failure(
                code: Code.badValue, message: "FREQ=\(value) is not a frequency; write YEARLY, MONTHLY or WEEKLY",
                offset: offset)
        }
        throw Failure(code: Code.unsupported, message: hint, offset: offset)
    }

    /// Splits a comma-separated value, passing each item and its offset to `parse`; drops repeated values.
    func list<T: Hashable>(
        _ value: String, at offset: Int, _ parse: (String, Int) throws(Failure) -> T
    ) throws(Failure) -> [(value: T, offset: Int)] {
        var result: [(value: T, offset: Int)] = []
        var seenValues: Set<T> = []
        var itemStart = offset
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else {
                throw Failure(
                    code: Code.badValue, message: "empty item in a list; separate values with single commas",
                    offset: itemStart)
            }
            let parsed = try parse(String(item), itemStart)
            if seenValues.insert(parsed).inserted { result.append((parsed, itemStart)) }
            itemStart += item.count + 1
        }
        return result
    }

    func integer(
        _ text: String, name: String, range: ClosedRange<Int>, nonZero: Bool = false, at offset: Int
    ) throws(Failure) -> Int {
        let digits = text.first == "+" || text.first == "-" ? text.dropFirst() : Substring(text)
        let allowed = nonZero ? "\(range.lowerBound)...-1 or 1...\(range.upperBound)" : "\(range)"
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let n = Int(text.first == "+" ? String(digits) : text), range.contains(n), !(nonZero && n == 0)
        else {
            throw Failure(
                code: Code.badValue, message: "\(name) value '\(text)' is not an integer in \(allowed)",
                offset: offset)
        }
        return n
    }

    func parseWeekdayNum(_ text: String, at offset: Int) throws(Failure) -> RecurrenceRule.WeekdayNum {
        guard text.count >= 2, let day = Weekday(rawValue: String(text.suffix(2))) else {
            throw Failure(
                code: Code.badValue,
                message: "BYDAY value '\(text)' is not a weekday; write MO TU WE TH FR SA SU, "
                    + "optionally with an ordinal such as 2TH or -1FR",
                offset: offset)
        }
        let prefix = String(text.dropLast(2))
        guard !prefix.isEmpty else { return .init(day) }
        let n = try integer(prefix, name: "BYDAY ordinal", range: -53...53, nonZero: true, at: offset)
        return .init(day, ordinal: n)
    }

    func parseUntil(_ text: String, at offset: Int) throws(Failure) -> RecurrenceRule.Until {
        let c = Array(text)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= c.count, c[range].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(String(c[range]))
        }
        let bad = Failure(
            code: Code.badValue,
            message: "UNTIL=\(text) is not a local date or date-time; write YYYYMMDD or YYYYMMDDTHHMMSS",
            offset: offset)
        guard c.count == 8 || c.count == 15 || c.count == 16,
            let y = number(0..<4), let m = number(4..<6), let d = number(6..<8),
            let date = LocalDate(year: y, month: m, day: d)
        else { throw bad }
        if c.count == 8 { return .date(date) }
        guard c[8] == "T", let h = number(9..<11), let mi = number(11..<13), let s = number(13..<15),
            let time = LocalTime(hour: h, minute: mi), (0...59).contains(s)
        else { throw bad }
        if c.count == 16 {
            guard c[15] == "Z" else { throw bad }
            throw Failure(
                code: Code.unsupported,
                message: "UNTIL in UTC (\(text)) is not supported: Kallad's rules are in local time; "
                    + "write the local date-time \(String(c[0..<15])) or the date \(String(c[0..<8]))",
                offset: offset)
        }
        return .dateTime(LocalDateTime(date, time), second: s)
    }

    /// The checks that span parts, then the rule.
    func build(textStart: Int) throws(Failure) -> RecurrenceRule {
        guard let (frequency, _) = frequency else {
            throw Failure(
                code: Code.missingFrequency, message: "the rule has no FREQ; add FREQ=WEEKLY, MONTHLY or YEARLY",
                offset: textStart)
        }
        if let count, let until {
            throw Failure(
                code: Code.countAndUntil,
                message: "COUNT and UNTIL cannot both be given (RFC 5545); keep one of them",
                offset: max(count.offset, until.offset))
        }
        if frequency == .weekly, let byMonthDay {
            throw Failure(
                code: Code.invalidCombination,
                message: "BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545); use FREQ=MONTHLY",
                offset: byMonthDay.offset)
        }
        let perMonth = frequency == .monthly || !byMonth.isEmpty
        for (day, offset) in byDay {
            guard let n = day.ordinal else { continue }
            if frequency == .weekly {
                throw Failure(
                    code: Code.invalidCombination,
                    message: "an ordinal such as \(day) needs FREQ=MONTHLY or FREQ=YEARLY; "
                        + "with FREQ=WEEKLY write \(day.weekday.rawValue)",
                    offset: offset)
            }
            if perMonth && abs(n) > 5 {
                throw Failure(
                    code: Code.badValue,
                    message: "\(day) can never occur: a month has at most 5 of each weekday; use 1...5 or -5...-1",
                    offset: offset)
            }
        }
        if let bySetPos, byMonth.isEmpty, byMonthDay == nil, byDay.isEmpty {
            throw Failure(
                code: Code.invalidCombination,
                message: "BYSETPOS picks from the days that BYMONTH, BYMONTHDAY or BYDAY give, and there are none; "
                    + "add e.g. BYDAY=MO,TU,WE,TH,FR",
                offset: bySetPos.offset)
        }
        return RecurrenceRule(
            frequency: frequency, interval: interval, byMonth: byMonth, byMonthDay: byMonthDay?.values ?? [],
            byDay: byDay.map(\.value), bySetPos: bySetPos?.values ?? [], count: count?.value,
            until: until?.value, weekStart: weekStart)
    }
}

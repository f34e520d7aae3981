/// A rule prepared for expansion from one DTSTART: the parts as masks and sorted arrays, and the periods as
/// integers (a year, a month index `year * 12 + month - 1`, or the day number of a week's first day).
///
/// Days are day numbers (days since 1970-01-01) throughout; nothing here allocates per day except the buffer.
struct RuleExpansion {
    let frequency: RecurrenceRule.Frequency
    /// The day number of DTSTART.
    let startDay: Int
    /// The period of DTSTART.
    let firstUnit: Int
    /// How far one step moves the period: `interval` years or months, or `7 * interval` days.
    let step: Int
    /// Consecutive periods without a day after which the rule can never produce one. The Gregorian calendar
    /// repeats every 400 years (146,097 days, a whole number of weeks), so this many periods see every case.
    let maxEmptyPeriods: Int
    let startMonth: Int
    let startDayOfMonth: Int
    let startWeekday: Int
    let weekStart: Int
    /// Bit `m` set for each BYMONTH month; 0 when there is no BYMONTH.
    let monthMask: Int
    /// The BYMONTH months sorted, or for YEARLY the months to visit when there is none.
    let yearMonths: [Int]
    let monthDays: [Int]
    /// Bit `w` (0 = Monday) set for each BYDAY weekday without an ordinal.
    let plainWeekdays: Int
    /// BYDAY weekdays without an ordinal, as indexes (0 = Monday).
    let plainWeekdayList: [Int]
    let ordinalDays: [(n: Int, weekday: Int)]
    let hasByDay: Bool
    let setPos: [Int]

    init(rule: RecurrenceRule, start: LocalDateTime) {
        frequency = rule.frequency
        startDay = start.date.dayNumber
        startMonth = start.date.month
        startDayOfMonth = start.date.day
        startWeekday = Self.weekday(startDay)
        weekStart = rule.weekStart.index
        monthMask = rule.byMonth.reduce(0) { $0 | 1 << $1 }
        monthDays = rule.byMonthDay
        var plain = 0
        var plainList: [Int] = []
        var ordinals: [(n: Int, weekday: Int)] = []
        for day in rule.byDay {
            if let n = day.ordinal {
                ordinals.append((n, day.weekday.index))
            } else if plain & (1 << day.weekday.index) == 0 {
                plain |= 1 << day.weekday.index
                plainList.append(day.weekday.index)
            }
        }
        plainWeekdays = plain
        plainWeekdayList = plainList.sorted()
        ordinalDays = ordinals
        hasByDay = !rule.byDay.isEmpty
        setPos = rule.bySetPos
        if !rule.byMonth.isEmpty {
            yearMonths = rule.byMonth.sorted()
        } else if rule.byMonthDay.isEmpty && rule.byDay.isEmpty {
            yearMonths = [start.date.month]
        } else {
            yearMonths = Array(1...12)
        }
        switch rule.frequency {
        case .yearly:
            firstUnit = start.date.year
            step = rule.interval
            maxEmptyPeriods = 400
        case .monthly:
            firstUnit = start.date.year * 12 + start.date.month - 1
            step = rule.interval
            maxEmptyPeriods = 4800
        case .weekly:
            firstUnit = startDay - (startWeekday - weekStart + 7) % 7
            step = 7 * rule.interval
            maxEmptyPeriods = 20871
        }
    }

    /// 0 for Monday ... 6 for Sunday.
    static func weekday(_ day: Int) -> Int { ((day % 7) + 7 + 3) % 7 }

    /// The day number of a date whose parts are known to be valid.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    /// The first day of a period.
    func periodStart(_ unit: Int) -> Int {
        switch frequency {
        case .yearly: return Self.dayNumber(year: unit, month: 1, day: 1)
        case .monthly: return Self.dayNumber(year: unit / 12, month: unit % 12 + 1, day: 1)
        case .weekly: return unit
        }
    }

    /// The first period, stepping from DTSTART's, that can hold a day on or after `day`.
    func firstUnit(reaching day: Int) -> Int {
        let target: Int
        switch frequency {
        case .yearly: target = LocalDate(dayNumber: day).year
        case .monthly:
            let date = LocalDate(dayNumber: day)
            target = date.year * 12 + date.month - 1
        case .weekly: target = day - (Self.weekday(day) - weekStart + 7) % 7
        }
        guard target > firstUnit else { return firstUnit }
        let steps = (target - firstUnit + step - 1) / step
        return firstUnit + steps * step
    }

    /// The days of DTSTART's rule on or after DTSTART, in order, from period `unit` on; ends once a period starts
    /// after `lastDay` or the rule has shown it never produces a day.
    func days(fromUnit unit: Int, lastDay: Int) -> Days {
        Days(plan: self, unit: unit, lastDay: lastDay)
    }

    /// Iterates the days of a rule.
    struct Days: IteratorProtocol {
        let plan: RuleExpansion
        var unit: Int
        let lastDay: Int
        var buffer: [Int] = []
        var index = 0
        var emptyPeriods = 0

        init(plan: RuleExpansion, unit: Int, lastDay: Int) {
            self.plan = plan
            self.unit = unit
            self.lastDay = lastDay
            buffer.reserveCapacity(32)
        }

        mutating func next() -> Int? {
            while true {
                while index < buffer.count {
                    let day = buffer[index]
                    index += 1
                    if day >= plan.startDay { return day }
                }
                guard emptyPeriods < plan.maxEmptyPeriods, plan.periodStart(unit) <= lastDay else { return nil }
                plan.fill(unit, into: &buffer)
                index = 0
                unit += plan.step
                emptyPeriods = buffer.isEmpty ? emptyPeriods + 1 : 0
            }
        }
    }

    /// Replaces `buffer` with the sorted days of one period, BYSETPOS applied.
    func fill(_ unit: Int, into buffer: inout [Int]) {
        buffer.removeAll(keepingCapacity: true)
        switch frequency {
        case .yearly:
            let first = Self.dayNumber(year: unit, month: 1, day: 1)
            let last = first + (LocalDate.isLeap(unit) ? 365 : 364)
            if monthDays.isEmpty && !hasByDay {
                for month in yearMonths where startDayOfMonth <= LocalDate.daysIn(month: month, year: unit) {
                    buffer.append(Self.dayNumber(year: unit, month: month, day: startDayOfMonth))
                }
            } else if monthMask == 0 && monthDays.isEmpty {
                appendByDay(from: first, through: last, into: &buffer)
            } else {
                for month in yearMonths {
                    let monthFirst = Self.dayNumber(year: unit, month: month, day: 1)
                    let length = LocalDate.daysIn(month: month, year: unit)
                    if monthDays.isEmpty {
                        appendByDay(from: monthFirst, through: monthFirst + length - 1, into: &buffer)
                    } else if monthMask == 0 {
                        // Without BYMONTH an ordinal BYDAY counts within the year.
                        appendMonthDays(monthFirst, length, within: first, last, into: &buffer)
                    } else {
                        appendMonthDays(monthFirst, length, within: monthFirst, monthFirst + length - 1, into: &buffer)
                    }
                }
            }
        case .monthly:
            let year = unit / 12
            let month = unit % 12 + 1
            guard monthMask == 0 || monthMask & (1 << month) != 0 else { return }
            let first = Self.dayNumber(year: year, month: month, day: 1)
            let length = LocalDate.daysIn(month: month, year: year)
            if !monthDays.isEmpty {
                appendMonthDays(first, length, within: first, first + length - 1, into: &buffer)
            } else if hasByDay {
                appendByDay(from: first, through: first + length - 1, into: &buffer)
            } else if startDayOfMonth <= length {
                buffer.append(first + startDayOfMonth - 1)
            }
        case .weekly:
            let offsetOfStart = (startWeekday - weekStart + 7) % 7
            if plainWeekdays == 0 {
                appendWeekDay(unit + offsetOfStart, into: &buffer)
            } else {
                // Walk the week from its first day so the days come out sorted.
                for i in 0..<7 where plainWeekdays & (1 << ((weekStart + i) % 7)) != 0 {
                    appendWeekDay(unit + i, into: &buffer)
                }
            }
        }
        if buffer.count > 1 && frequency != .weekly {
            buffer.sort()
            var write = 1
            for read in 1..<buffer.count where buffer[read] != buffer[write - 1] {
                buffer[write] = buffer[read]
                write += 1
            }
            buffer.removeLast(buffer.count - write)
        }
        if !setPos.isEmpty { applySetPos(to: &buffer) }
    }

    private func appendWeekDay(_ day: Int, into buffer: inout [Int]) {
        if monthMask != 0 {
            let month = LocalDate(dayNumber: day).month
            guard monthMask & (1 << month) != 0 else { return }
        }
        buffer.append(day)
    }

    /// The BYMONTHDAY days of one month that also satisfy BYDAY, ordinals counted within `lo...hi`.
    private func appendMonthDays(_ first: Int, _ length: Int, within lo: Int, _ hi: Int, into buffer: inout [Int]) {
        for monthDay in monthDays {
            let dayOfMonth = monthDay > 0 ? monthDay : length + 1 + monthDay
            guard dayOfMonth >= 1, dayOfMonth <= length else { continue }
            let day = first + dayOfMonth - 1
            if hasByDay && !matchesByDay(day, lo, hi) { continue }
            buffer.append(day)
        }
    }

    private func matchesByDay(_ day: Int, _ lo: Int, _ hi: Int) -> Bool {
        let weekday = Self.weekday(day)
        if plainWeekdays & (1 << weekday) != 0 { return true }
        for (n, w) in ordinalDays where w == weekday && Self.nth(n, w, lo, hi) == day { return true }
        return false
    }

    /// Every BYDAY day within `lo...hi`: each plain weekday, and each ordinal counted within the range.
    private func appendByDay(from lo: Int, through hi: Int, into buffer: inout [Int]) {
        for w in plainWeekdayList {
            var day = lo + (w - Self.weekday(lo) + 7) % 7
            while day <= hi {
                buffer.append(day)
                day += 7
            }
        }
        for (n, w) in ordinalDays {
            if let day = Self.nth(n, w, lo, hi) { buffer.append(day) }
        }
    }

    /// The `n`-th weekday `w` within `lo...hi` (negative `n` counts from the end), if there is one.
    static func nth(_ n: Int, _ w: Int, _ lo: Int, _ hi: Int) -> Int? {
        let day: Int
        if n > 0 {
            day = lo + (w - weekday(lo) + 7) % 7 + 7 * (n - 1)
        } else {
            day = hi - (weekday(hi) - w + 7) % 7 - 7 * (-n - 1)
        }
        return day >= lo && day <= hi ? day : nil
    }

    /// Keeps the BYSETPOS positions of a sorted set, sorted and without repeats.
    private func applySetPos(to buffer: inout [Int]) {
        let count = buffer.count
        guard count > 0 else { return }
        var picked: [Int] = []
        picked.reserveCapacity(setPos.count)
        for pos in setPos {
            let i = pos > 0 ? pos - 1 : count + pos
            if i >= 0 && i < count && !picked.contains(buffer[i]) { picked.append(buffer[i]) }
        }
        picked.sort()
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: picked)
    }
}

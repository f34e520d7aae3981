/// The occurrences of a meeting: DTSTART, an optional rule, extra dates (RDATE) and cancelled ones (EXDATE), all in
/// floating local time (the zone is applied by ``ZoneRules``).
///
/// Kallad's policy is that DTSTART must itself be an occurrence of the rule: RFC 5545 leaves the other case
/// undefined and calendar programs disagree, so ``validate()`` refuses it and names the DTSTART to use instead.
public struct RecurrenceSet: Hashable, Sendable {
    /// DTSTART: the first occurrence, and the time of day of every occurrence of the rule.
    public var start: LocalDateTime
    /// The rule, or `nil` for a set of DTSTART and the RDATEs only.
    public var rule: RecurrenceRule?
    /// RDATE: extra occurrences, at any time of day. They do not count towards COUNT.
    public var rdates: [LocalDateTime]
    /// EXDATE: occurrences to leave out, matched by exact date and time. They still count towards COUNT.
    public var exdates: [LocalDateTime]

    /// Creates a recurrence set.
    public init(
        start: LocalDateTime, rule: RecurrenceRule?, rdates: [LocalDateTime] = [], exdates: [LocalDateTime] = []
    ) {
        self.start = start
        self.rule = rule
        self.rdates = rdates
        self.exdates = exdates
    }

    /// The first reason the set is not acceptable, or `nil`: UNTIL before DTSTART, a rule that never produces a
    /// date, or a DTSTART that is not an occurrence of the rule. The errors carry no `offset`.
    public func validate() -> RecurrenceError? {
        guard let rule else { return nil }
        if let until = rule.until, !until.includes(start) {
            return RecurrenceError(
                code: RecurrenceError.Code.untilBeforeStart,
                message: "UNTIL \(until) is before DTSTART \(start), so the rule has no occurrence; "
                    + "move UNTIL to DTSTART or later",
                offset: nil)
        }
        guard let first = rule.firstOccurrence(onOrAfter: start) else {
            return RecurrenceError(
                code: RecurrenceError.Code.noOccurrences,
                message: "the rule \(rule.rfc5545) never produces a date (e.g. BYMONTH=2;BYMONTHDAY=30); "
                    + "change BYMONTH, BYMONTHDAY, BYDAY or BYSETPOS",
                offset: nil)
        }
        guard first == start else {
            return RecurrenceError(
                code: RecurrenceError.Code.startNotOnRule,
                message: "DTSTART \(start.date) is not on the rule; the first occurrence would be \(first.date): "
                    + "set DTSTART to \(first), or change the rule",
                offset: nil)
        }
        return nil
    }

    /// The occurrences whose dates lie in `from...through`, sorted and without repeats: the rule's (COUNT counted
    /// from DTSTART, UNTIL inclusive), or DTSTART alone when there is no rule, plus the RDATEs, minus the EXDATEs.
    ///
    /// Meant for a set that passed ``validate()``; for one that did not, a DTSTART off the rule is left out, as
    /// python-dateutil does. Costs a few microseconds per year of a weekly rule: periods are stepped from DTSTART's
    /// (or, without COUNT, from the first one that reaches `from`) and days are computed from day numbers.
    public func occurrences(from: LocalDate, through: LocalDate) -> [LocalDateTime] {
        guard from <= through else { return [] }
        let fromDay = from.dayNumber
        let throughDay = through.dayNumber
        var result: [LocalDateTime] = []
        if let rule {
            let time = start.time
            for day in Self.ruleDays(rule, start: start, fromDay: fromDay, throughDay: throughDay) {
                result.append(LocalDateTime(LocalDate(dayNumber: day), time))
            }
        } else if start.date >= from && start.date <= through {
            result.append(start)
        }
        if !rdates.isEmpty {
            let extra = rdates.filter { $0.date >= from && $0.date <= through }
            if !extra.isEmpty {
                result.append(contentsOf: extra)
                result.sort()
                var write = 1
                for read in 1..<result.count where result[read] != result[write - 1] {
                    result[write] = result[read]
                    write += 1
                }
                result.removeLast(result.count - write)
            }
        }
        if !exdates.isEmpty {
            let excluded = Set(exdates)
            result.removeAll { excluded.contains($0) }
        }
        return result
    }

    /// EXDATEs that remove nothing because neither the rule, DTSTART nor an RDATE falls on them (often a typo or a
    /// time of day that differs from DTSTART's), for a loader to warn about.
    public func unmatchedExdates() -> [LocalDateTime] {
        exdates.filter { exdate in
            let unexcluded = RecurrenceSet(start: start, rule: rule, rdates: rdates)
            return !unexcluded.occurrences(from: exdate.date, through: exdate.date).contains(exdate)
        }
    }

    /// The rule's day numbers within `fromDay...throughDay`.
    static func ruleDays(_ rule: RecurrenceRule, start: LocalDateTime, fromDay: Int, throughDay: Int) -> [Int] {
        let plan = RuleExpansion(rule: rule, start: start)
        var lastDay = throughDay
        if let until = rule.until { lastDay = min(lastDay, until.lastDay(at: start.time)) }
        var days: [Int] = []
        guard lastDay >= fromDay else { return days }
        if var remaining = rule.count {
            var iterator = plan.days(fromUnit: plan.firstUnit, lastDay: lastDay)
            while remaining > 0, let day = iterator.next(), day <= lastDay {
                if day >= fromDay { days.append(day) }
                remaining -= 1
            }
        } else {
            var iterator = plan.days(fromUnit: plan.firstUnit(reaching: fromDay), lastDay: lastDay)
            while let day = iterator.next(), day <= lastDay {
                if day >= fromDay { days.append(day) }
            }
        }
        return days
    }
}

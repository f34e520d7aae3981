/// Dates Kallad proposes for a body that has a cadence but no pattern or plan, and what could not be met.
public struct DateProposal: Sendable {
    /// The proposed days, sorted.
    public var dates: [LocalDate]
    /// Rules that could not be met, and why.
    public var diagnostics: [Diagnostic]
}

/// Proposes meeting days from a body's cadence ("at least N per year / per term"), its preferred weekdays, its
/// terms, the holidays, and its ties to other bodies ("before each meeting of X"). Deterministic.
///
/// The method: spread the required count evenly over the meeting season (the terms), then make sure each meeting
/// of a body this one must precede has one of ours in the allowed window, moving the nearest free date there or
/// adding one. Each target day is snapped to the nearest working day on a preferred weekday.
public struct DateProposer: Sendable {
    /// The registry.
    public let registry: Registry
    /// Working days.
    public let calendar: WorkingCalendar

    /// Creates a proposer.
    public init(registry: Registry, calendar: WorkingCalendar) {
        self.registry = registry
        self.calendar = calendar
    }

    /// Days for `body` in `year`; `known` holds the meetings of bodies already worked out.
    public func propose(for body: Body, year: Int, known: [String: [Meeting]]) -> DateProposal {
        var diagnostics: [Diagnostic] = []
        let weekdays = Set(body.schedule.preferredWeekdays)
        let terms = registry.terms(for: body).terms(in: year).compactMap { term -> Term? in
            // Clip each term to the body's active period.
            let start = max(term.start, body.activeFrom ?? term.start)
            let end = min(term.end, body.activeUntil ?? term.end)
            return start <= end ? Term(year: term.year, season: term.season, start: start, end: end) : nil
        }
        guard !terms.isEmpty else { return DateProposal(dates: [], diagnostics: []) }

        // 1. Evenly spread targets.
        var targets: [LocalDate] = []
        let perTerm = body.cadences.filter { $0.period == .term }.map(\.atLeast).max() ?? 0
        let perYear = body.cadences.filter { $0.period == .year }.map(\.atLeast).max() ?? 0
        if perTerm > 0 {
            for term in terms { targets += spread(count: perTerm, over: [term]) }
        }
        if perYear > targets.count {
            targets = spread(count: perYear, over: terms)
        }

        // 2. Ties to other bodies: one of ours in each window before their meetings.
        var chosen: [LocalDate] = []
        var pinned: Set<Int> = []
        for constraint in body.constraints {
            let theirs = (known[constraint.body] ?? [])
                .filter { $0.status == .scheduled && $0.kind != .extra }
                .map(\.date)
            for (index, date) in theirs.enumerated() where date.year == year {
                let latest = date.adding(days: -constraint.minDaysBefore)
                let earliest =
                    constraint.afterPrevious && index > 0
                    ? theirs[index - 1].adding(days: 1)
                    : date.adding(days: -120)
                if chosen.contains(where: { $0 >= earliest && $0 <= latest }) { continue }
                guard earliest <= latest,
                    let day = snap(
                        latest, within: earliest...latest, weekdays: weekdays, preferLater: true, avoiding: chosen)
                else {
                    diagnostics.append(
                        Diagnostic(
                            .violation, code: "plan.constraint_unmet",
                            message:
                                "no working \(weekdayNames(body)) between \(earliest) and \(latest) for \(body.id) "
                                + "to meet at least \(constraint.minDaysBefore) days before \(constraint.body) on \(date)",
                            hint: "allow more weekdays (schedule.weekdays) or give an explicit plan for \(year)",
                            location: constraint.location, body: body.id))
                    continue
                }
                // Use up the nearest spread target, so the count stays what the cadence asks.
                if let nearest = targets.indices.filter({ !pinned.contains($0) })
                    .min(by: { abs(targets[$0].days(to: day)) < abs(targets[$1].days(to: day)) })
                {
                    pinned.insert(nearest)
                }
                chosen.append(day)
            }
        }

        // 3. The remaining targets, snapped to working days.
        for (index, target) in targets.enumerated() where !pinned.contains(index) {
            let term = terms.first { target >= $0.start && target <= $0.end } ?? terms[0]
            if let day = snap(
                target, within: term.start...term.end, weekdays: weekdays, preferLater: false, avoiding: chosen)
            {
                chosen.append(day)
            } else {
                diagnostics.append(
                    Diagnostic(
                        .violation, code: "plan.no_day",
                        message: "no free working \(weekdayNames(body)) in \(term.id) for \(body.id)",
                        hint: "allow more weekdays or give an explicit plan", location: body.schedule.location,
                        body: body.id))
            }
        }
        return DateProposal(dates: chosen.sorted(), diagnostics: diagnostics)
    }

    /// `count` days spread evenly over the days of `terms` taken together, at the middle of equal slices.
    func spread(count: Int, over terms: [Term]) -> [LocalDate] {
        let lengths = terms.map { $0.start.days(to: $0.end) + 1 }
        let total = lengths.reduce(0, +)
        guard count > 0, total > 0 else { return [] }
        return (0..<count).map { i in
            var offset = (2 * i + 1) * total / (2 * count)
            for (term, length) in zip(terms, lengths) {
                if offset < length { return term.start.adding(days: offset) }
                offset -= length
            }
            return terms[terms.count - 1].end
        }
    }

    /// The working day on a preferred weekday nearest to `target` within `range`, at least 7 days from the days
    /// already chosen where possible; `nil` if there is none.
    func snap(
        _ target: LocalDate, within range: ClosedRange<LocalDate>, weekdays: Set<Weekday>, preferLater: Bool,
        avoiding chosen: [LocalDate]
    ) -> LocalDate? {
        for spacing in [7, 1] {
            for distance in 0...60 {
                let candidates =
                    preferLater
                    ? [target.adding(days: -distance)]
                    : [target.adding(days: distance), target.adding(days: -distance)]
                for day in candidates where range.contains(day) {
                    guard weekdays.isEmpty || weekdays.contains(day.weekday), calendar.isWorkingDay(day) else {
                        continue
                    }
                    if chosen.contains(where: { abs($0.days(to: day)) < spacing }) { continue }
                    return day
                }
            }
        }
        return nil
    }

    func weekdayNames(_ body: Body) -> String {
        body.schedule.preferredWeekdays.map(\.rawValue).joined(separator: "/")
    }
}

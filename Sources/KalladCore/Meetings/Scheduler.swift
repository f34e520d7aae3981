import Dispatch

/// The meetings of a range of years and the problems met while working them out.
public struct MeetingSchedule: Sendable {
    /// All meetings, cancelled ones included, sorted by start and then id.
    public var meetings: [Meeting]
    /// Meetings per body, sorted by start.
    public var byBody: [String: [Meeting]]
    /// Problems: an overlay change naming an unknown meeting, a rule that could not be met.
    public var diagnostics: [Diagnostic]
    /// For bodies that rotate a role per meeting: ordinary meetings held before the first year expanded, counted
    /// from the rotation's anchor year.
    public var ordinaryMeetingsBefore: [String: Int]
    /// The years covered.
    public var years: ClosedRange<Int>
    /// The order of the meetings' keys, worked out once for planners on several threads that share this schedule.
    var keyOrder: MeetingKeyOrder? = nil
    /// Each meeting's body, as the scheduler knew it.
    var meetingBodies: MeetingBodies? = nil

    /// The meeting with an id, if any.
    public func meeting(_ id: String) -> Meeting? {
        guard let slash = id.firstIndex(of: "/") else { return nil }
        return byBody[String(id[..<slash])]?.first { $0.id == id }
    }
}

/// Works out every body's meetings for a range of years: the standing pattern or explicit plan, meetings derived
/// from another body's, dates proposed from a cadence, then the overlay of extra, moved and cancelled meetings.
/// Pure: the same registry, overlay and years give the same meetings.
public struct Scheduler: Sendable {
    /// The registry.
    public let registry: Registry
    /// Working days and holidays.
    public let calendar: WorkingCalendar

    /// Creates a scheduler; the working calendar covers the registry's closed days.
    public init(registry: Registry, calendar: WorkingCalendar) {
        self.registry = registry
        self.calendar = calendar
    }

    /// Creates a scheduler with a working calendar for the years around `years`.
    public init(registry: Registry, years: ClosedRange<Int>) {
        self.registry = registry
        self.calendar = WorkingCalendar(
            years: (years.lowerBound - 1)...(years.upperBound + 1), extraClosedDays: registry.settings.closedDays)
    }

    /// The meetings of `years`, with the registry's own changes and `overlay` on top.
    public func schedule(years: ClosedRange<Int>, overlay: Overlay = Overlay()) -> MeetingSchedule {
        schedule(years: years, overlay: overlay, window: nil)
    }

    /// The meetings of `years`, with the registry's own changes and `overlay` on top; with a `window`, of most
    /// bodies only the meetings that start on its days are made (the problems are the same), and `meetings` holds
    /// only those the window keeps (`byBody` every one made).
    func schedule(years: ClosedRange<Int>, overlay: Overlay, window: MeetingWindow?) -> MeetingSchedule {
        let changes = registry.changes.merged(with: overlay)
        var diagnostics: [Diagnostic] = []
        var byBody: [String: [Meeting]] = [:]
        var changesByBody: [String: [OverlayChange]] = [:]
        for change in changes.changes {
            let body: String
            switch change.action {
            case .extra(let id, _, _, _, _): body = id
            default: body = change.meetingID.map { String($0.prefix { $0 != "/" }) } ?? ""
            }
            changesByBody[body, default: []].append(change)
        }
        // The bodies in dependency order, split into groups closed under dependencies, each group worked out on a
        // thread of its own: a body reads only the meetings of the bodies it depends on, which are in its group and
        // come before it there as they do in the whole order. Problems are gathered per body and put together in
        // that order, as one pass over all bodies would give them.
        let order = dependencyOrder()
        let groups = dependencyGroups(order, count: 2)
        let results = GroupResults(count: groups.count)
        let changesOf = changesByBody
        // All meetings are sorted by start, then id. A meeting id is `<body>/<date>…` and a body id has no `/`, so
        // ids of two bodies compare as the body ids followed by `/` do: the body's rank in that order stands in for
        // the id, which is compared only within one body. Each group sorts its own meetings by these small keys;
        // the groups' lists are then merged (two bodies never have the same rank, so no id is compared there).
        var rankOf: [String: Int] = [:]
        rankOf.reserveCapacity(order.count)
        for (rank, (bodyID, _)) in order.map({ (registry.bodies[$0].id, registry.bodies[$0].id + "/") })
            .sorted(by: { $0.1 < $1.1 }).enumerated()
        {
            rankOf[bodyID] = rank
        }
        let ranks = rankOf
        // Every meeting of the bodies others' meetings are worked out from, of those that changes name (a change
        // names a meeting by id, and one not made would be reported unknown) and of those the window asks for.
        var wholeBodies = window?.whole ?? []
        if window != nil {
            for index in registry.bodies.indices { wholeBodies.formUnion(dependencies(ofBodyAt: index, all: true)) }
            wholeBodies.formUnion(changesByBody.keys)
        }
        let whole = wholeBodies
        DispatchQueue.concurrentPerform(iterations: groups.count) { group in
            var known: [String: [Meeting]] = [:]
            var problems: [Int: [Diagnostic]] = [:]
            var unsorted: [Meeting] = []
            var keys: [GroupResults.SortKey] = []
            for position in groups[group] {
                let body = registry.bodies[order[position]]
                var found: [Diagnostic] = []
                let days = window.flatMap { whole.contains(body.id) ? nil : $0.days }
                var meetings = baseMeetings(of: body, years: years, known: known, diagnostics: &found, on: days)
                if let list = changesOf[body.id] {
                    apply(list, to: &meetings, body: body, years: years, diagnostics: &found)
                }
                // Most bodies' meetings come in order already (one pattern's dates): sorted only when they do not.
                // No two meetings of a body have the same id, so the sorted order is the one order there is.
                let before: (Meeting, Meeting) -> Bool = { ($0.start, $0.id) < ($1.start, $1.id) }
                if zip(meetings, meetings.dropFirst()).contains(where: { before($1, $0) }) {
                    meetings.sort(by: before)
                }
                let rank = ranks[body.id] ?? 0, bodyIndex = Int32(order[position])
                for meeting in meetings {
                    if let window, !window.keeps(meeting) { continue }
                    unsorted.append(meeting)
                    keys.append((ZoneRules.wallSeconds(meeting.start), rank, bodyIndex))
                }
                known[body.id] = meetings
                if !found.isEmpty { problems[position] = found }
            }
            let sorted = keys.indices.sorted { a, b in
                if keys[a].start != keys[b].start { return keys[a].start < keys[b].start }
                if keys[a].body != keys[b].body { return keys[a].body < keys[b].body }
                return unsorted[a].id < unsorted[b].id
            }
            results.set(group, (known, problems, sorted.map { unsorted[$0] }, sorted.map { keys[$0] }))
        }
        var problems: [Int: [Diagnostic]] = [:]
        var all: [Meeting] = []
        var allKeys: [GroupResults.SortKey] = []
        for group in groups.indices {
            let (known, found, sorted, keys) = results.take(group)
            // The first group's table is taken as it is (merging into an empty one would hash every key again).
            if byBody.isEmpty {
                byBody = known
            } else {
                byBody.merge(known) { first, _ in first }
            }
            problems.merge(found) { first, _ in first }
            (all, allKeys) = Self.merge(consume all, allKeys, consume sorted, keys)
        }
        for position in problems.keys.sorted() { diagnostics += problems[position] ?? [] }
        for (bodyID, list) in changesByBody where registry.body(bodyID) == nil {
            for change in list {
                diagnostics.append(
                    Diagnostic(
                        .error, code: "change.unknown_body",
                        message: "change \(change.id) names body '\(bodyID)', which is not in the registry",
                        hint: "use a body id from `kallad meetings`", location: change.location))
            }
        }
        var schedule = MeetingSchedule(
            meetings: all, byBody: byBody, diagnostics: diagnostics,
            ordinaryMeetingsBefore: rotationOffsets(before: years.lowerBound), years: years)
        schedule.meetingBodies = MeetingBodies(meetings: all, indexes: allKeys.map(\.index))
        return schedule
    }

    /// Two lists of meetings sorted by their keys, merged. The lists are of different bodies, so no two keys are
    /// the same.
    ///
    /// The meetings are moved, not copied: a copy retains each meeting (a national registry's three years have over
    /// a hundred thousand, long out of the cache), and freeing the lists then releases each again. Each place of
    /// the two lists is left holding the first merged meeting instead, so freeing them touches that one alone.
    static func merge(
        _ a: consuming [Meeting], _ aKeys: [GroupResults.SortKey], _ b: consuming [Meeting],
        _ bKeys: [GroupResults.SortKey]
    ) -> ([Meeting], [GroupResults.SortKey]) {
        if a.isEmpty { return (b, bKeys) }
        if b.isEmpty { return (a, aKeys) }
        let total = a.count + b.count
        var keys: [GroupResults.SortKey] = []
        keys.reserveCapacity(total)
        let merged = a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in
                [Meeting](unsafeUninitializedCapacity: total) { out, count in
                    guard let first = a.baseAddress, let second = b.baseAddress, let into = out.baseAddress else {
                        return
                    }
                    var i = 0, j = 0
                    while i < a.count || j < b.count {
                        if j == b.count || (i < a.count && aKeys[i] < bKeys[j]) {
                            (into + count).initialize(to: (first + i).move())
                            keys.append(aKeys[i])
                            i += 1
                        } else {
                            (into + count).initialize(to: (second + j).move())
                            keys.append(bKeys[j])
                            j += 1
                        }
                        count += 1
                    }
                    let filler = into.pointee
                    first.initialize(repeating: filler, count: a.count)
                    second.initialize(repeating: filler, count: b.count)
                }
            }
        }
        return (merged, keys)
    }

    /// Bodies ordered so that a body comes after the bodies its meetings depend on (derived schedules and
    /// relative constraints). The loader rejects cycles; a cycle that slips through keeps declaration order.
    func dependencyOrder() -> [Int] {
        var order: [Int] = []
        order.reserveCapacity(registry.bodies.count)
        // By index in `registry.bodies`, so no body is copied: 0 not seen, 1 visiting, 2 done.
        var state = [UInt8](repeating: 0, count: registry.bodies.count)
        func visit(_ index: Int) {
            if state[index] != 0 { return }
            state[index] = 1
            for dependency in dependencies(ofBodyAt: index) {
                if let other = registry.index(ofBody: dependency), state[other] == 0 { visit(other) }
            }
            state[index] = 2
            order.append(index)
        }
        // A second body with an id already taken is left out, as `registry.body(_:)` leaves it out.
        for index in registry.bodies.indices where registry.index(ofBody: registry.bodies[index].id) == index {
            visit(index)
        }
        return order
    }

    /// The dependencies of the body at `index` in `registry.bodies`, read field by field: the body is not copied.
    /// `all`: the bodies its constraints name even where its own pattern or another body decides its dates.
    func dependencies(ofBodyAt index: Int, all: Bool = false) -> [String] {
        let schedule = registry.bodies[index].schedule
        var result: [String] = []
        if let derived = schedule.derived { result.append(derived.body) }
        if all || (schedule.recurrence == nil && schedule.derived == nil) {
            result.append(contentsOf: registry.bodies[index].constraints.map(\.body))
        }
        return result
    }

    /// The bodies whose meetings a body's dates are worked out from.
    public static func dependencies(of body: Body) -> [String] {
        var result: [String] = []
        if let derived = body.schedule.derived { result.append(derived.body) }
        if body.schedule.recurrence == nil && body.schedule.derived == nil {
            result.append(contentsOf: body.constraints.map(\.body))
        }
        return result
    }

    // MARK: - Base meetings

    /// The meetings of `body` in `years` from its pattern, plan, another body's meetings or proposed dates; with
    /// `days`, only those that start on them (a meeting's id does not depend on the others made).
    func baseMeetings(
        of body: Body, years: ClosedRange<Int>, known: [String: [Meeting]], diagnostics: inout [Diagnostic],
        on days: ClosedRange<Int>? = nil
    ) -> [Meeting] {
        var meetings: [Meeting] = []
        // A meeting's id is `<body>/<date>`, and `<body>/<date>-<n>` (n = 2, 3, …) for the second, third … meeting
        // on a day. The two forms never clash, so the days taken are kept as dates (no id text hashed), and only
        // the rare second ids as text.
        var usedDays = DaysTaken()
        var usedSecondIDs: Set<String> = []
        func add(
            _ date: LocalDate, start: LocalTime?, end: LocalTime?, source: MeetingSource,
            location: String? = nil, allowHoliday: Bool = false, sourceLocation: SourceLocation? = nil
        ) {
            guard body.isActive(on: date) else { return }
            if let days, !days.contains(date.dayNumber) { return }
            var id: String
            if usedDays.take(date) {
                id = Self.meetingID(body: body.id, date: date)
            } else {
                var n = 2
                repeat {
                    id = "\(body.id)/\(date)-\(n)"
                    n += 1
                } while usedSecondIDs.contains(id)
                usedSecondIDs.insert(id)
            }
            let startTime = start ?? body.startTime
            meetings.append(
                Meeting(
                    id: id, body: body.id, kind: body.jointOf.isEmpty ? .ordinary : .joint, source: source,
                    start: LocalDateTime(date, startTime), end: LocalDateTime(date, end ?? body.endTime),
                    location: location ?? body.location, allowHoliday: allowHoliday,
                    sourceLocation: sourceLocation ?? body.schedule.location))
        }

        if let derived = body.schedule.derived {
            let source = (known[derived.body] ?? []).filter { $0.kind != .extra && $0.status == .scheduled }
            for meeting in source {
                let date = calendar.workingDay(onOrBefore: meeting.date.adding(days: -derived.daysBefore))
                if years.contains(date.year) { add(date, start: nil, end: nil, source: .derived) }
            }
        }
        for year in years {
            if let planned = body.schedule.plan[year] {
                for entry in planned {
                    add(
                        entry.date, start: entry.start, end: entry.end, source: .plan, location: entry.location,
                        allowHoliday: entry.allowHoliday, sourceLocation: entry.sourceLocation)
                }
            } else if let recurrence = body.schedule.recurrence {
                for occurrence in ruleDates(recurrence, body: body, year: year) {
                    add(occurrence.date, start: occurrence.time, end: nil, source: .rule)
                }
            } else if body.schedule.derived == nil && !body.cadences.isEmpty {
                let proposal = DateProposer(registry: registry, calendar: calendar)
                    .propose(for: body, year: year, known: known)
                diagnostics.append(contentsOf: proposal.diagnostics)
                for date in proposal.dates { add(date, start: nil, end: nil, source: .proposed) }
            }
        }
        return meetings
    }

    /// `<body id>/<date>`, as interpolating them gives, written straight into the new string's storage: one
    /// allocation instead of a few (a national registry's years have a hundred thousand meetings).
    static func meetingID(body: String, date: LocalDate) -> String {
        guard (1000...9999).contains(date.year) else { return "\(body)/\(date)" }
        var body = body
        return body.withUTF8 { prefix in
            String(unsafeUninitializedCapacity: prefix.count + 11) { buffer in
                guard let base = buffer.baseAddress, let from = prefix.baseAddress else { return 0 }
                base.initialize(from: from, count: prefix.count)
                var at = prefix.count
                func put(_ byte: UInt8) {
                    base[at] = byte
                    at += 1
                }
                func digits(_ value: Int, _ count: Int) {
                    var divisor = 1
                    for _ in 1..<count { divisor *= 10 }
                    while divisor > 0 {
                        put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                        divisor /= 10
                    }
                }
                put(UInt8(ascii: "/"))
                digits(date.year, 4)
                put(UInt8(ascii: "-"))
                digits(date.month, 2)
                put(UInt8(ascii: "-"))
                digits(date.day, 2)
                return at
            }
        }
    }

    /// A standing pattern's dates in a year, moved off weekends and holidays as the body says.
    func ruleDates(_ recurrence: RecurrenceSet, body: Body, year: Int) -> [LocalDateTime] {
        guard let first = LocalDate(year: year, month: 1, day: 1), let last = LocalDate(year: year, month: 12, day: 31)
        else { return [] }
        var result: [LocalDateTime] = []
        for occurrence in recurrence.occurrences(from: first, through: last) {
            if calendar.isWorkingDay(occurrence.date) {
                result.append(occurrence)
                continue
            }
            switch body.schedule.holidayShift {
            case .skip: continue
            case .next: result.append(LocalDateTime(calendar.workingDay(onOrAfter: occurrence.date), occurrence.time))
            case .previous:
                result.append(LocalDateTime(calendar.workingDay(onOrBefore: occurrence.date), occurrence.time))
            }
        }
        return result
    }

    // MARK: - Overlay

    func apply(
        _ changes: [OverlayChange], to meetings: inout [Meeting], body: Body, years: ClosedRange<Int>,
        diagnostics: inout [Diagnostic]
    ) {
        for change in changes {
            if case .extra(_, let start, let end, let requestedBy, let reason) = change.action {
                guard years.contains(start.date.year) else { continue }
                var meeting = Meeting(
                    id: Overlay.extraMeetingID(body: body.id, date: start.date, changeID: change.id), body: body.id,
                    kind: .extra, source: .change, start: start,
                    end: LocalDateTime(start.date, end ?? body.endTime), location: body.location,
                    sourceLocation: change.location)
                meeting.knownAt = change.knownAt
                meeting.requestedBy = requestedBy
                meeting.reason = reason
                meetings.append(meeting)
                continue
            }
            guard let meetingID = change.meetingID else { continue }
            guard let index = meetings.firstIndex(where: { $0.id == meetingID }) else {
                if let date = Self.date(inMeetingID: meetingID), !years.contains(date.year) { continue }
                diagnostics.append(
                    Diagnostic(
                        .error, code: "change.unknown_meeting",
                        message: "change \(change.id) names meeting '\(meetingID)', which \(body.id) does not have",
                        hint:
                            "meeting ids are <body>/<original date>; list them with `kallad meetings --body \(body.id)`",
                        location: change.location, body: body.id, meeting: meetingID))
                continue
            }
            switch change.action {
            case .extra: break
            case .moved(_, let start, let end):
                let old = meetings[index]
                let duration = old.end.time.minuteOfDay - old.start.time.minuteOfDay
                let newEnd =
                    end ?? LocalTime(
                        hour: min(23, (start.time.minuteOfDay + duration) / 60),
                        minute: (start.time.minuteOfDay + duration) % 60) ?? old.end.time
                meetings[index].history.append(
                    MeetingRevision(
                        start: old.start, end: old.end, sequence: old.sequence, movedAt: change.knownAt))
                meetings[index].start = start
                meetings[index].end = LocalDateTime(start.date, newEnd)
                if change.knownAt != nil { meetings[index].sequence += 1 }
            case .cancelled(_, let reason):
                meetings[index].status = .cancelled
                meetings[index].cancelledAt = change.knownAt
                meetings[index].reason = reason
                if change.knownAt != nil { meetings[index].sequence += 1 }
            case .standIn(_, let seat, let person):
                meetings[index].adjustments.standIns[seat] = person
            case .absent(_, let seat):
                meetings[index].adjustments.absent.insert(seat)
            case .roleHolder(_, let role, let person):
                meetings[index].adjustments.roleHolders[role] = person
            case .agendaItem(_, let title, let submittedBy):
                meetings[index].agenda.append(
                    AgendaItem(title: title, submittedBy: submittedBy, addedAt: change.knownAt))
            case .sendNow:
                meetings[index].adjustments.sendNowRequested = true
                meetings[index].adjustments.sendNowRequestedAt = change.knownAt
            }
        }
    }

    /// The date in `<body>/<YYYY-MM-DD>…`, if any.
    static func date(inMeetingID id: String) -> LocalDate? {
        guard let slash = id.firstIndex(of: "/") else { return nil }
        return LocalDate(iso: id[id.index(after: slash)...].prefix(10))
    }

    // MARK: - Rotation offsets

    /// Ordinary meetings from the anchor year up to `year`, for bodies rotating a role per meeting.
    func rotationOffsets(before year: Int) -> [String: Int] {
        var result: [String: Int] = [:]
        // By index, reading only the role rules: most bodies rotate nothing per meeting and are not copied.
        for index in registry.bodies.indices {
            let rules = [registry.bodies[index].convener, registry.bodies[index].chair, registry.bodies[index].secretary]
            let anchors = rules.compactMap { rule -> Int? in
                if case .rotation(let rotation) = rule, rotation.period == .meeting { return rotation.anchorYear }
                return nil
            }
            guard let anchor = anchors.min(), anchor < year else { continue }
            let body = registry.bodies[index]
            let earlier = Scheduler(registry: registry, calendar: calendar)
            var count = 0
            var diagnostics: [Diagnostic] = []
            // Derived and proposed schedules depend on other bodies; count from the body's own base pattern.
            let known = earlier.knownBefore(body: body, years: anchor...(year - 1))
            count =
                earlier.baseMeetings(of: body, years: anchor...(year - 1), known: known, diagnostics: &diagnostics)
                .count
            result[body.id] = count
        }
        return result
    }

    /// The base meetings of the bodies `body` depends on, for counting earlier years.
    func knownBefore(body: Body, years: ClosedRange<Int>) -> [String: [Meeting]] {
        var known: [String: [Meeting]] = [:]
        var diagnostics: [Diagnostic] = []
        for dependency in Self.dependencies(of: body) {
            guard let other = registry.body(dependency) else { continue }
            known[dependency] = baseMeetings(of: other, years: years, known: [:], diagnostics: &diagnostics)
        }
        return known
    }
}

/// The days a body's meetings take so far: a short list is searched, a long one hashed (hashing every date of a
/// national registry's hundred thousand meetings costs more than going through a body's few).
struct DaysTaken {
    private var few: [LocalDate] = []
    private var many: Set<LocalDate>?

    /// Takes `day`; `false` when it was taken already.
    mutating func take(_ day: LocalDate) -> Bool {
        if many != nil { return many?.insert(day).inserted ?? false }
        if few.contains(day) { return false }
        few.append(day)
        if few.count > 32 {
            many = Set(few)
            few = []
        }
        return true
    }
}

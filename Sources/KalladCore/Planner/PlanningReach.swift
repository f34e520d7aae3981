/// How far a meeting's notifications can lie from it, and the schedule cut to what planning a window needs.
extension Planner {
    /// The days before a meeting of the body at `index` in `registry.bodies` that its timeline can reach (the
    /// longest lead, plus a week for moving back to a working day) and the days after it (the minutes reminder).
    func reach(ofBodyAt index: Int) -> (lead: Int, trail: Int) {
        let policy = registry.bodies[index].notifications
        return (
            max(policy.convenerPromptDays, policy.agendaRequestDays, policy.summonsDays, policy.reminderDays) + 7,
            2 * policy.minutesReminderWorkingDays + 14
        )
    }

    /// The day numbers a meeting's timeline can reach, given its body's `reach`: every day when a change that
    /// became known at some moment may put a notification anywhere.
    static func days(of meeting: Meeting, lead: Int, trail: Int) -> ClosedRange<Int> {
        let changed = meeting.knownAt != nil || meeting.cancelledAt != nil || !meeting.history.isEmpty
        let day = meeting.start.date.dayNumber
        return changed ? Int.min...Int.max : (day - lead)...(day + trail)
    }

    /// `schedule` cut to what planning `[from, to)` needs, so the meetings of the years around the window, worked
    /// out only for the rules that look at neighbouring meetings, can be freed before planning.
    ///
    /// It keeps the meetings whose timelines can reach the window (what `notifications(for:from:to:…)` plans, and a
    /// few more: the reach is the longest of any body's) and, in `byBody` (which planning reads only for them),
    /// every meeting of the bodies the role rules count or look up (a body rotating a role per meeting counts its
    /// earlier meetings; a body whose role another follows is searched for its next meeting); `byBody` has no other
    /// bodies. Planning the cut schedule for `[from, to)` gives what planning the whole one gives.
    public func trimmed(_ schedule: MeetingSchedule, from: Instant, to: Instant) -> MeetingSchedule {
        let zone = registry.settings.zone
        let firstDay = zone.local(from).date.dayNumber, lastDay = zone.local(to).date.dayNumber
        let whole = wholeBodies()
        let (lead, trail) = longestReach()
        func reaches(_ meeting: Meeting) -> Bool {
            let days = Self.days(of: meeting, lead: lead, trail: trail)
            return days.lowerBound <= lastDay && days.upperBound >= firstDay
        }
        var result = schedule
        result.meetings = schedule.meetings.filter(reaches)
        result.byBody = Self.table(of: whole, in: schedule)
        return result
    }

    /// `schedule.byBody` of the bodies in `whole` alone: planning reads the meetings of a body only for the role
    /// rules that count or look up meetings.
    static func table(of whole: Set<String>, in schedule: MeetingSchedule) -> [String: [Meeting]] {
        var byBody = [String: [Meeting]](minimumCapacity: whole.count)
        for body in whole {
            if let meetings = schedule.byBody[body] { byBody[body] = meetings }
        }
        return byBody
    }

    /// The bodies whose every meeting planning reads: a body rotating a role per meeting counts its earlier
    /// meetings, and a body whose role another follows is searched for its next meeting.
    func wholeBodies() -> Set<String> {
        var whole = Set<String>()
        // By index, reading only the role rules: the bodies are not copied.
        for index in registry.bodies.indices {
            let rules = [registry.bodies[index].convener, registry.bodies[index].chair, registry.bodies[index].secretary]
            for rule in rules {
                switch rule {
                case .rotation(let rotation) where rotation.period == .meeting: whole.insert(registry.bodies[index].id)
                case .follows(let other, _): whole.insert(other)
                default: break
                }
            }
        }
        return whole
    }

    /// The longest lead and trail of any body: a meeting kept for them is kept for its own body too, and a few more
    /// kept than planned cost less than looking up each meeting's body.
    func longestReach() -> (lead: Int, trail: Int) {
        var lead = 0, trail = 0
        for index in registry.bodies.indices {
            let own = reach(ofBodyAt: index)
            lead = max(lead, own.lead)
            trail = max(trail, own.trail)
        }
        return (lead, trail)
    }

    /// The meetings `trimmed(_:from:to:)` keeps, for the scheduler to make no others: those whose timelines can
    /// reach `[from, to)` (of a meeting no change names: from its start day and the longest reach), and every
    /// meeting of the bodies planning reads whole.
    func window(from: Instant, to: Instant) -> MeetingWindow {
        let zone = registry.settings.zone
        let firstDay = zone.local(from).date.dayNumber, lastDay = zone.local(to).date.dayNumber
        let (lead, trail) = longestReach()
        return MeetingWindow(days: (firstDay - trail)...max(firstDay - trail, lastDay + lead), whole: wholeBodies())
    }
}

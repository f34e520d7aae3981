import Testing

@testable import KalladCore

@Suite("Scheduler and date proposals")
struct SchedulerTests {
    typealias F = Fixture

    @Test("R3: the working committee meets 14 days before each steering-group meeting, moved back to a working day")
    func derived() {
        // 2026-04-16 − 14 = 2026-04-02 (Thursday before Easter: a working day); 2027-04-15 − 14 = 04-01, fine;
        // a steering-group meeting on 2026-04-20 (Monday) gives 04-06, annandag påsk → Thursday 04-02.
        let registry = F.registry(lsgDates: ["2026-04-20", "2026-06-11"])
        let au = F.schedule(registry, years: 2026...2026).byBody["au"]?.map(\.date.description)
        #expect(au == ["2026-04-02", "2026-05-28"])
    }

    @Test("Meeting ids: <body>/<date>, then <body>/<date>-2, -3 … for further meetings on the same day")
    func meetingIDs() {
        let registry = F.registry(lsgDates: ["2026-03-05", "2026-04-01", "2026-03-05", "2026-03-05"])
        let ids = F.schedule(registry, years: 2026...2026).byBody["lsg"]?.map(\.id).sorted()
        #expect(ids == ["lsg/2026-03-05", "lsg/2026-03-05-2", "lsg/2026-03-05-3", "lsg/2026-04-01"])
        // Written byte by byte, the id is what interpolating the body id and the date gives.
        for body in ["lsg", "norrbotten-lansdel-pite-alvdal", "län-å", ""] {
            for text in ["1000-01-01", "2026-12-31", "2027-02-09", "9999-10-10"] {
                let date = F.date(text)
                #expect(Scheduler.meetingID(body: body, date: date) == "\(body)/\(date)")
            }
        }
        let early = LocalDate(year: 999, month: 5, day: 7)
        #expect(early.map { Scheduler.meetingID(body: "x", date: $0) } == early.map { "x/\($0)" })
    }

    @Test("Explicit dates for a year override the pattern; other years come from the cadence")
    func planOverrides() {
        let schedule = F.schedule(F.registry(lsgDates: ["2026-03-05"]), years: 2026...2027)
        let lsg = schedule.byBody["lsg"] ?? []
        #expect(lsg.filter { $0.date.year == 2026 }.map(\.source) == [.plan])
        #expect(lsg.filter { $0.date.year == 2027 }.count == 4)
        #expect(lsg.filter { $0.date.year == 2027 }.allSatisfy { $0.source == .proposed })
    }

    @Test(
        "R1: twice per term — proposed dates fall inside each term, on working days, a week apart or more",
        arguments: 2026...2035)
    func perTerm(year: Int) {
        let registry = F.registry()
        let scheduler = Scheduler(registry: registry, years: year...year)
        let meetings = scheduler.schedule(years: year...year).byBody["natverk"] ?? []
        let terms = TermRules.standard.terms(in: year)
        for term in terms {
            let inTerm = meetings.filter { term.contains($0.date) }
            #expect(inTerm.count == 2, "\(term.id): \(inTerm.map(\.date))")
        }
        #expect(meetings.allSatisfy { scheduler.calendar.isWorkingDay($0.date) })
        #expect(meetings.allSatisfy { [.tuesday, .wednesday, .thursday].contains($0.date.weekday) })
        for (a, b) in zip(meetings, meetings.dropFirst()) { #expect(a.date.days(to: b.date) >= 7) }
    }

    @Test("R4: proposed forum dates put one meeting in each window before the steering group's meetings")
    func proposedBefore() {
        let registry = F.registry(forumDates: []) { bodies in
            bodies[2].schedule = Schedule(preferredWeekdays: [.tuesday])
        }
        let year = 2027
        let scheduler = Scheduler(registry: registry, years: year...year)
        let schedule = scheduler.schedule(years: year...year)
        let forum = schedule.byBody["forum"] ?? []
        #expect(forum.count >= 6)
        let diagnostics = RuleChecker(registry: registry, calendar: scheduler.calendar).check(
            year: year, schedule: schedule)
        #expect(diagnostics.filter { $0.body == "forum" }.isEmpty, "\(diagnostics)")
        #expect(forum.allSatisfy { $0.date.weekday == .tuesday })
    }

    @Test("R17: a temporary body has no meetings outside its life, and its cadence counts only whole terms")
    func temporary() {
        let registry = F.registry { bodies in
            bodies[3].activeFrom = F.date("2026-09-01")
            bodies[3].activeUntil = F.date("2027-06-30")
        }
        let scheduler = Scheduler(registry: registry, years: 2026...2028)
        let schedule = scheduler.schedule(years: 2026...2028)
        let dates = (schedule.byBody["natverk"] ?? []).map(\.date)
        #expect(dates.allSatisfy { $0 >= F.date("2026-09-01") && $0 <= F.date("2027-06-30") })
        #expect(dates.count == 4)
        let checker = RuleChecker(registry: registry, calendar: scheduler.calendar)
        for year in 2026...2028 {
            #expect(checker.check(year: year, schedule: schedule).filter { $0.body == "natverk" }.isEmpty)
        }
    }

    @Test("Changes: extra meetings get their own id; a change naming an unknown meeting is reported")
    func changes() {
        let registry = F.registry(changes: [
            OverlayChange(
                id: "e1",
                action: .extra(
                    body: "forum", start: F.at("2026-06-02", "13:00"), end: nil,
                    requestedBy: "region", reason: "")),
            OverlayChange(id: "bad", action: .cancelled(meeting: "lsg/2026-02-13", reason: "")),
        ])
        let schedule = F.schedule(registry, years: 2026...2026)
        #expect(schedule.meeting("forum/2026-06-02-extra-e1")?.kind == .extra)
        #expect(schedule.diagnostics.map(\.code) == ["change.unknown_meeting"])
        #expect(schedule.diagnostics.first?.hint.contains("kallad meetings --body lsg") == true)
    }

    @Test("A moved meeting keeps its id and raises its sequence only when the move was announced")
    func moves() {
        let announced = F.registry(changes: [
            OverlayChange(
                id: "m",
                action: .moved(
                    meeting: "lsg/2026-09-10", start: F.at("2026-09-17", "09:00"),
                    end: nil), knownAt: Instant(secondsSinceEpoch: 1_788_000_000))
        ])
        let meeting = F.schedule(announced, years: 2026...2026).meeting("lsg/2026-09-10")
        #expect(meeting?.start == F.at("2026-09-17", "09:00"))
        #expect(meeting?.end == F.at("2026-09-17", "14:00"))
        #expect(meeting?.sequence == 1)
        #expect(meeting?.history.first?.start == F.at("2026-09-10", "10:00"))
    }

    @Test("Bodies are worked out in groups closed under their dependencies, each in dependency order, all once")
    func dependencyGroups() {
        let registry = F.registry()
        let scheduler = Scheduler(registry: registry, years: 2026...2027)
        let order = scheduler.dependencyOrder()
        for count in 1...3 {
            let groups = scheduler.dependencyGroups(order, count: count)
            #expect(groups.count <= count)
            #expect(groups.joined().sorted() == Array(order.indices))
            for group in groups {
                #expect(group == group.sorted())
                let members = Set(group.map { registry.bodies[order[$0]].id })
                for position in group {
                    for dependency in Scheduler.dependencies(of: registry.bodies[order[position]]) {
                        #expect(members.contains(dependency), "\(dependency) is worked out apart from its dependant")
                    }
                }
            }
        }
        // The fixture has bodies that depend on none: two groups are made.
        #expect(scheduler.dependencyGroups(order, count: 2).count == 2)
    }
}

@Suite("Rule checks for a year")
struct RuleCheckerTests {
    typealias F = Fixture

    func check(_ registry: Registry, year: Int = 2026) -> [Diagnostic] {
        let scheduler = Scheduler(registry: registry, years: year...year)
        let checker = RuleChecker(registry: registry, calendar: scheduler.calendar)
        return checker.check(year: year, schedule: scheduler.schedule(years: year...year))
            + checker.checkComposition()
    }

    @Test("The fixture registry meets every rule in 2026")
    func clean() {
        #expect(check(F.registry()).isEmpty)
    }

    @Test(
        "Violations name the rule, the body and the meeting",
        arguments: [
            // R1: three meetings where four are required.
            (["2026-02-12", "2026-04-16", "2026-09-10"], [String](), "rule.cadence"),
            // A meeting on midsommarafton.
            (["2026-02-12", "2026-04-16", "2026-06-19", "2026-11-12"], [], "rule.holiday"),
            // R4: the forum's meetings all after the steering group's first meeting of the year.
            (
                ["2026-02-12", "2026-04-16", "2026-09-10", "2026-11-12"],
                ["2026-03-17", "2026-05-19", "2026-08-18", "2026-10-20", "2026-12-15", "2026-12-16"], "rule.before"
            ),
        ])
    func violations(lsg: [String], forum: [String], code: String) {
        let registry = forum.isEmpty ? F.registry(lsgDates: lsg) : F.registry(lsgDates: lsg, forumDates: forum)
        let found = check(registry)
        #expect(found.contains { $0.code == code && $0.severity == .violation }, "\(found)")
    }

    @Test("R3: a working committee closer than 10 days to the steering group is a violation")
    func tooClose() {
        let registry = F.registry { bodies in bodies[1].schedule.derived = DerivedSchedule(body: "lsg", daysBefore: 7) }
        let found = check(registry).filter { $0.code == "rule.before" && $0.body == "au" }
        #expect(found.count == 4)
        #expect(found.first?.message.contains("at least 10 days before lsg's meeting on 2026-02-12") == true)
    }

    @Test("R2: hours outside the body's window, and times at a DST change, are violations")
    func hoursAndDST() {
        let registry = F.registry(changes: [
            OverlayChange(
                id: "m",
                action: .moved(
                    meeting: "lsg/2026-04-16", start: F.at("2026-04-16", "08:00"),
                    end: F.time("12:00")))
        ]) { bodies in
            bodies[0].schedule.plan[2027] = [
                PlannedDate(
                    date: F.date("2027-10-31"), start: F.time("02:30"),
                    end: F.time("04:00"), allowHoliday: true)
            ]
        }
        #expect(check(registry).contains { $0.code == "rule.hours" && $0.meeting == "lsg/2026-04-16" })
        let y2027 = check(registry, year: 2027)
        #expect(y2027.contains { $0.code == "rule.dst_time" })
        // Held on a Sunday on purpose: a warning, not a violation.
        #expect(y2027.contains { $0.code == "rule.holiday" && $0.severity == .warning })
    }

    @Test("R14: composition 5 + 5 counts members of parties within a party, not co-opted ones")
    func composition() {
        let registry = F.registry { bodies in
            bodies[2].composition = ["region": 1, "kommuner": 2]
        }
        let found = check(registry).filter { $0.code == "rule.composition" }
        #expect(found.map(\.message) == ["forum has 1 members from kommuner; its rules ask for 2"])
    }
}

@testable import KalladCore

/// A small registry shaped like the Norrbotten seed, built in code so the tests do not depend on the loader.
enum Fixture {
    static func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }
    static func time(_ text: String) -> LocalTime { LocalTime(iso: text)! }
    static func at(_ d: String, _ t: String) -> LocalDateTime { LocalDateTime(date(d), time(t)) }
    static let zone = ZoneRules.stockholm

    static func person(_ id: String) -> Person {
        Person(id: id, name: "Person \(id)", email: "\(id)@example.se")
    }

    static func seat(_ id: String, party: String, substitute: String? = nil, coopted: Bool = false) -> Seat {
        Seat(id: id, office: id, person: "p-\(id)", party: party, substitute: substitute, coopted: coopted)
    }

    static let parties = [
        Party(id: "region", name: "Regionen", kind: .region),
        Party(id: "kommuner", name: "Kommunerna", kind: .municipalAssociation),
        Party(id: "lulea", name: "Luleå", kind: .municipality, partOf: ["kommuner"]),
        Party(id: "primarvard", name: "Primärvård", kind: .careLevel, partOf: ["region"]),
        Party(id: "sjukhus", name: "Sjukhus", kind: .careLevel, partOf: ["region"]),
    ]

    /// A steering group meeting on explicit dates, a working committee derived from it, a forum with a per-meeting
    /// chair, a network rotating among three parties, and a joint theme day.
    static func registry(
        lsgDates: [String] = [
            "2026-02-12", "2026-04-16", "2026-09-10", "2026-11-12",
            "2027-02-11", "2027-04-15", "2027-09-09", "2027-11-11",
        ],
        forumDates: [String] = ["2026-01-20", "2026-03-17", "2026-05-19", "2026-08-18", "2026-10-20", "2026-12-15"],
        changes: [OverlayChange] = [],
        mutate: (inout [Body]) -> Void = { _ in }
    ) -> Registry {
        func plan(_ dates: [String]) -> [Int: [PlannedDate]] {
            Dictionary(grouping: dates.map { PlannedDate(date: date($0)) }, by: { $0.date.year })
        }
        let ten = time("10:00"), three = time("15:00")
        var bodies = [
            Body(
                id: "lsg", name: "Länsstyrgruppen", kind: .steeringGroup,
                seats: [
                    seat("divisionschef", party: "region"),
                    seat(
                        "socialchef-lulea", party: "lulea",
                        substitute: "p-socialchef-boden"),
                    seat("samordnare", party: "region"), seat("samverkansledare", party: "kommuner"),
                ],
                convener: .sameAs(.chair),
                chair: .rotation(
                    Rotation(period: .year, anchorYear: 2026, order: ["divisionschef", "socialchef-lulea"])),
                secretary: .rotation(
                    Rotation(period: .year, anchorYear: 2026, order: ["samverkansledare", "samordnare"])),
                startTime: ten, endTime: three, schedule: Schedule(plan: plan(lsgDates)),
                cadences: [Cadence(atLeast: 4, period: .year)]),
            Body(
                id: "au", name: "Arbetsutskottet", kind: .workingCommittee,
                seats: [seat("samordnare", party: "region"), seat("samverkansledare", party: "kommuner")],
                convener: .sameAs(.chair), chair: .follows(body: "lsg", role: .chair),
                secretary: .follows(body: "lsg", role: .secretary), startTime: ten, endTime: time("12:00"),
                schedule: Schedule(derived: DerivedSchedule(body: "lsg", daysBefore: 14)),
                constraints: [RelativeConstraint(body: "lsg", minDaysBefore: 10)]),
            Body(
                id: "forum", name: "Samverkansforum", kind: .forum,
                seats: [seat("konv-region", party: "region"), seat("konv-kommun", party: "lulea")],
                convener: .sameAs(.chair),
                chair: .rotation(Rotation(period: .meeting, anchorYear: 2026, order: ["konv-region", "konv-kommun"])),
                secretary: .appointedBy(.convener), startTime: ten, endTime: three,
                schedule: Schedule(plan: plan(forumDates)), cadences: [Cadence(atLeast: 6, period: .year)],
                constraints: [RelativeConstraint(body: "lsg", minDaysBefore: 7)],
                composition: ["region": 1, "kommuner": 1]),
            Body(
                id: "natverk", name: "Nätverket", kind: .network,
                seats: [
                    seat("omradeschef", party: "lulea"), seat("vu-omvardnad", party: "primarvard"),
                    seat("vu-geriatrik", party: "sjukhus"), seat("dsk", party: "primarvard", coopted: true),
                ],
                convener: .sameAs(.chair),
                chair: .rotation(
                    Rotation(
                        period: .year, anchorYear: 2026,
                        order: ["omradeschef", "vu-omvardnad", "vu-geriatrik"])),
                secretary: .seat("dsk"), startTime: time("13:00"), endTime: time("16:00"),
                cadences: [Cadence(atLeast: 2, period: .term)]),
            Body(
                id: "temadag", name: "Temadag", kind: .jointMeeting, seats: [],
                convener: .follows(body: "lsg", role: .chair), chair: .follows(body: "lsg", role: .chair),
                secretary: .follows(body: "lsg", role: .secretary), startTime: ten, endTime: three,
                schedule: Schedule(plan: plan(["2026-05-27", "2026-10-28"])), jointOf: ["lsg", "forum"]),
        ]
        mutate(&bodies)
        var people = bodies.flatMap(\.seats).map { person($0.person) }
        people.append(person("p-socialchef-boden"))
        people.append(person("p-vikarie"))
        return Registry(parties: parties, people: people, bodies: bodies, changes: Overlay(changes: changes))
    }

    static func schedule(_ registry: Registry, years: ClosedRange<Int> = 2026...2027) -> MeetingSchedule {
        Scheduler(registry: registry, years: years).schedule(years: years)
    }

    static let calendar = WorkingCalendar(years: 2020...2040)
}

extension Fixture {
    /// The planner's notifications for `registry` from one date to another (midnights, Stockholm).
    static func plan(_ registry: Registry, from: String = "2025-10-01", to: String = "2028-01-01") -> [DueNotification] {
        Planner.due(
            registry: registry, from: zone.instant(of: at(from, "00:00")), to: zone.instant(of: at(to, "00:00"))
        ).notifications
    }
}

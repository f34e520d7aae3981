import Testing

@testable import KalladCore

@Suite("Roles: convener, chair and secretary (R5–R10)")
struct RoleResolverTests {
    let registry = Fixture.registry()
    var schedule: MeetingSchedule { Fixture.schedule(registry) }

    func holder(_ role: Role, _ meetingID: String) -> RoleHolder? {
        let schedule = self.schedule
        guard let meeting = schedule.meeting(meetingID) else { return nil }
        return RoleResolver(registry: registry, schedule: schedule).holder(of: role, at: meeting)
    }

    @Test(
        "R6: the chair alternates yearly between the parties, and the secretary goes to the other party",
        arguments: [
            ("lsg/2026-11-12", "p-divisionschef", "p-samverkansledare"),
            ("lsg/2027-02-11", "p-socialchef-lulea", "p-samordnare"),
            ("lsg/2026-02-12", "p-divisionschef", "p-samverkansledare"),
        ])
    func yearlyRotation(meeting: String, chair: String, secretary: String) {
        #expect(holder(.chair, meeting)?.person == chair)
        #expect(holder(.convener, meeting)?.person == chair)
        #expect(holder(.secretary, meeting)?.person == secretary)
        #expect(holder(.chair, meeting)?.party != holder(.secretary, meeting)?.party)
    }

    @Test("R7: the working committee follows the chair of the steering-group meeting it prepares")
    func followsChair() {
        // The committee before the first meeting of 2027 (in January) already has 2027's chair.
        let au = schedule.byBody["au"] ?? []
        #expect(au.count == 8)
        #expect(au.allSatisfy { $0.date.weekday == .thursday })
        #expect(holder(.chair, "au/2027-01-28")?.person == "p-socialchef-lulea")
        #expect(holder(.chair, "au/2026-10-29")?.person == "p-divisionschef")
        #expect(holder(.secretary, "au/2026-10-29")?.person == "p-samverkansledare")
        #expect(holder(.chair, "au/2026-10-29")?.basis == "follows chair of lsg")
    }

    @Test("R8: the two conveners chair in turn, meeting by meeting; the convener appoints the secretary")
    func perMeetingRotation() {
        let dates = ["2026-01-20", "2026-03-17", "2026-05-19", "2026-08-18", "2026-10-20", "2026-12-15"]
        let chairs = dates.map { holder(.chair, "forum/\($0)")?.person }
        #expect(
            chairs == [
                "p-konv-region", "p-konv-kommun", "p-konv-region", "p-konv-kommun", "p-konv-region",
                "p-konv-kommun",
            ])
        let secretary = holder(.secretary, "forum/2026-03-17")
        #expect(secretary?.person == nil)
        #expect(secretary?.appointer == "p-konv-kommun")
    }

    @Test("R8: a per-meeting turn carries on across years from the anchor year")
    func perMeetingAcrossYears() {
        let registry = Fixture.registry(forumDates: ["2026-01-20", "2026-03-17", "2026-05-19", "2027-01-19"])
        let schedule = Fixture.schedule(registry, years: 2027...2027)
        #expect(schedule.ordinaryMeetingsBefore["forum"] == 3)
        let meeting = schedule.meeting("forum/2027-01-19")!
        // Three meetings in 2026 (region, kommun, region) → the fourth goes to the municipalities.
        #expect(
            RoleResolver(registry: registry, schedule: schedule).holder(of: .chair, at: meeting)?.person
                == "p-konv-kommun")
    }

    @Test(
        "R9: the network chair rotates yearly among municipality, primary care and hospital",
        arguments: [
            (2026, "p-omradeschef"), (2027, "p-vu-omvardnad"), (2028, "p-vu-geriatrik"),
            (2029, "p-omradeschef"),
        ])
    func threeParties(year: Int, chair: String) {
        let schedule = Fixture.schedule(registry, years: year...year)
        let meeting = schedule.byBody["natverk"]!.first!
        let roles = RoleResolver(registry: registry, schedule: schedule)
        #expect(roles.holder(of: .chair, at: meeting)?.person == chair)
        // R10: a fixed minutes keeper.
        #expect(roles.holder(of: .secretary, at: meeting)?.person == "p-dsk")
    }

    @Test("A named stand-in for one meeting, and a role holder named for one meeting")
    func overrides() {
        let registry = Fixture.registry(changes: [
            OverlayChange(
                id: "c1", action: .standIn(meeting: "lsg/2026-04-16", seat: "divisionschef", person: "p-vikarie")),
            OverlayChange(
                id: "c2",
                action: .roleHolder(
                    meeting: "forum/2026-03-17", role: .secretary,
                    person: "p-samordnare")),
        ])
        let schedule = Fixture.schedule(registry)
        let roles = RoleResolver(registry: registry, schedule: schedule)
        #expect(roles.holder(of: .chair, at: schedule.meeting("lsg/2026-04-16")!)?.person == "p-vikarie")
        #expect(roles.holder(of: .chair, at: schedule.meeting("lsg/2026-09-10")!)?.person == "p-divisionschef")
        #expect(roles.holder(of: .secretary, at: schedule.meeting("forum/2026-03-17")!)?.person == "p-samordnare")
    }
}

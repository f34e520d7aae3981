/// The convener, chair and secretary of one meeting.
struct MeetingRoleHolders: Equatable {
    var convener: RoleHolder?
    var chair: RoleHolder?
    var secretary: RoleHolder?
}

/// Role holders worked out once per body, role and year where that decides them: for meetings without stand-ins,
/// absences or named holders, under rules that depend on the year alone (`RoleResolver.dependsOnYearOnly`). Any
/// other meeting is asked of the resolver.
struct YearRoleHolders {
    /// Per body and role (`body * 3 + role`): 0 not known yet, 1 decided by the year, 2 not.
    private var yearOnly: [UInt8]
    /// Per body and role, the two years last asked for (places `slot * 2` and `slot * 2 + 1`; -1: none) and where
    /// their holders are in `worked`. The planner asks year after year (a window's edge mixes two), so two places
    /// per slot find nearly every holder without hashing; a year not there is worked out again, to the same holder.
    private var recentYears: [Int32]
    private var recentHolders: [Int32]
    private var worked: [RoleHolder?] = []

    init(bodies: Int) {
        yearOnly = [UInt8](repeating: 0, count: bodies * 3)
        recentYears = [Int32](repeating: -1, count: bodies * 6)
        recentHolders = [Int32](repeating: 0, count: bodies * 6)
    }

    /// Whether all three roles of the body are decided by the year alone (for meetings without stand-ins,
    /// absences or named holders): then such meetings of one year have the same holders.
    mutating func decidedByYear(body: Int, roles: RoleResolver) -> Bool {
        for (roleIndex, role) in [(0, Role.convener), (1, .chair), (2, .secretary)] {
            let slot = body * 3 + roleIndex
            if yearOnly[slot] == 0 { yearOnly[slot] = roles.dependsOnYearOnly(role, in: body) ? 1 : 2 }
            if yearOnly[slot] != 1 { return false }
        }
        return true
    }

    mutating func holders(at meeting: Meeting, body: Int, plain: Bool, roles: RoleResolver) -> MeetingRoleHolders {
        MeetingRoleHolders(
            convener: holder(.convener, 0, at: meeting, body: body, plain: plain, roles: roles),
            chair: holder(.chair, 1, at: meeting, body: body, plain: plain, roles: roles),
            secretary: holder(.secretary, 2, at: meeting, body: body, plain: plain, roles: roles))
    }

    private mutating func holder(
        _ role: Role, _ roleIndex: Int, at meeting: Meeting, body: Int, plain: Bool, roles: RoleResolver
    ) -> RoleHolder? {
        let year = meeting.date.year
        let slot = body * 3 + roleIndex
        guard plain, (0..<10_000).contains(year) else { return roles.holder(of: role, at: meeting) }
        if yearOnly[slot] == 0 { yearOnly[slot] = roles.dependsOnYearOnly(role, in: body) ? 1 : 2 }
        guard yearOnly[slot] == 1 else { return roles.holder(of: role, at: meeting) }
        let place = slot * 2, asked = Int32(year)
        if recentYears[place] == asked { return worked[Int(recentHolders[place])] }
        if recentYears[place + 1] == asked { return worked[Int(recentHolders[place + 1])] }
        let found = roles.holder(of: role, at: meeting)
        recentYears[place + 1] = recentYears[place]
        recentHolders[place + 1] = recentHolders[place]
        recentYears[place] = asked
        recentHolders[place] = Int32(worked.count)
        worked.append(found)
        return found
    }
}

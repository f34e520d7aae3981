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
    /// Per `(body * 3 + role) * 10_000 + year`.
    private var known: [Int: RoleHolder?] = [:]

    init(bodies: Int) { yearOnly = [UInt8](repeating: 0, count: bodies * 3) }

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
        let key = slot * 10_000 + year
        if let found = known[key] { return found }
        let found = roles.holder(of: role, at: meeting)
        known[key] = found
        return found
    }
}

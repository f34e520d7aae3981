/// Who a meeting's notifications come from and go to: the convener, chair and secretary, and the recipient lists
/// made from them and the attendees. Worked out once and shared by every meeting of a body that has the same
/// attendees and role holders (most meetings of a year), and by every notification of those meetings: a list is
/// one reference, not a copy of its recipients.
final class MeetingPeople: Sendable {
    /// The convener, chair and secretary.
    let holders: MeetingRoleHolders
    /// The convener as a recipient: the sender.
    let sender: Recipient?
    /// The sender's name as UTF-8, in storage of this list's own: the lines of a preview are written on several
    /// threads, and reading the registry's name there would write its reference count from each of them.
    let senderName: [UInt8]?
    /// Members, substitutes standing in and co-opted, plus the convener, chair and secretary if they are not
    /// members: who gets agenda requests, summonses, reminders, updates and cancellations.
    let attendees: [Recipient]
    /// How many of `attendees` are optional.
    let optionalAttendees: Int
    /// The convener alone (convener prompt), or nobody.
    let convener: [Recipient]
    /// Who keeps the minutes (minutes reminder): the secretary, or the convener when no secretary is named yet.
    let minutesKeeper: [Recipient]

    /// Only role holders and a sender: what a notification made outside the planner shares.
    init(sender: Recipient?, chair: RoleHolder?, secretary: RoleHolder?) {
        holders = MeetingRoleHolders(convener: nil, chair: chair, secretary: secretary)
        self.sender = sender
        senderName = sender.map { Array($0.name.utf8) }
        attendees = []
        optionalAttendees = 0
        convener = []
        minutesKeeper = []
    }

    /// The lists for a meeting with these attendees (members, stand-ins, substitutes, co-opted) and role holders.
    init(registry: Registry, members: [Recipient], holders: MeetingRoleHolders) {
        self.holders = holders
        let sender = registry.recipient(holders.convener, as: .convener)
        self.sender = sender
        senderName = sender.map { Array($0.name.utf8) }
        var list = members
        // One after another, not from an array of the three.
        func add(_ holder: RoleHolder?, as reason: RecipientReason) {
            guard let person = holder?.person, !list.contains(where: { $0.person == person }),
                let recipient = registry.recipient(holder, as: reason)
            else { return }
            list.append(recipient)
        }
        add(holders.convener, as: .convener)
        add(holders.chair, as: .chair)
        add(holders.secretary, as: .secretary)
        attendees = list
        optionalAttendees = DueNotification.optionalCount(list)
        convener = sender.map { [$0] } ?? []
        let keeper =
            registry.recipient(holders.secretary, as: .secretary)
            ?? (holders.secretary?.person == nil ? sender : nil)
        minutesKeeper = keeper.map { [$0] } ?? []
    }
}

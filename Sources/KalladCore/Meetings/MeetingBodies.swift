/// Each meeting's body, by its index in `registry.bodies`, as the scheduler made the meeting: a planner finds the
/// body of each meeting without hashing its id.
final class MeetingBodies: Sendable {
    /// The meetings these are the bodies of: the indexes are used only with this very array.
    private let meetings: [Meeting]
    /// The index of each meeting's body (same index as `meetings`).
    let indexes: [Int32]

    init(meetings: [Meeting], indexes: [Int32]) {
        self.meetings = meetings
        self.indexes = indexes
    }

    /// Whether these are the bodies of `other` (the same array, not a changed copy).
    func belong(to other: [Meeting]) -> Bool {
        guard meetings.count == other.count, indexes.count == other.count else { return false }
        return meetings.withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
        }
    }
}

/// The meetings a caller needs: of most bodies those that start on `days` (day numbers); of the bodies in `whole`
/// every one. In the list of all meetings it keeps those that start on `days` and those a change moved, cancelled
/// or made known at some moment (whose notifications may fall anywhere).
struct MeetingWindow: Sendable {
    var days: ClosedRange<Int>
    var whole: Set<String>

    func keeps(_ meeting: Meeting) -> Bool {
        meeting.knownAt != nil || meeting.cancelledAt != nil || !meeting.history.isEmpty
            || days.contains(meeting.start.date.dayNumber)
    }
}

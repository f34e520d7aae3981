import Dispatch
import Glibc

/// The order of the keys of a schedule's meetings, as one number per meeting: comparing two numbers orders the keys
/// of two different meetings as comparing the key texts does, without reading the ids.
///
/// A key is `<meeting id>/<kind>[/<sequence>]`, so keys of different meetings order as their ids followed by `/`
/// do, unless one of those is the start of the other (`lsg/2027-02-11/` and `lsg/2027-02-11/x/`): then what comes
/// after decides, and such ids get no rank. Ids that are not all ASCII get none either (their texts are compared).
final class MeetingKeyOrder: Sendable {
    /// The meetings ranked: the ranks are used only with this very array.
    private let meetings: [Meeting]
    /// The rank of each meeting's id (same index as `meetings`), or -1.
    let ranks: [Int32]

    /// Ranks the ids of `meetings`.
    init(meetings: [Meeting]) {
        // Every ASCII id's bytes followed by `/`, one after another in one buffer: sorting compares them in place.
        var bytes: [UInt8] = []
        // Room for ids of the usual length (`<body id>/<date>`) at once, instead of growing by doubling.
        bytes.reserveCapacity(meetings.count * 32)
        var spans: [(start: Int, count: Int)] = []
        spans.reserveCapacity(meetings.count)
        var order: [Int] = []
        order.reserveCapacity(meetings.count)
        for index in meetings.indices {
            let id = meetings[index].id
            let start = bytes.count
            bytes.append(contentsOf: id.utf8)
            bytes.append(UInt8(ascii: "/"))
            spans.append((start, bytes.count - start))
            if bytes[start..<bytes.count].allSatisfy({ $0 < 0x80 }) { order.append(index) }
        }
        var ranks = [Int32](repeating: -1, count: meetings.count)
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            spans.withUnsafeBufferPointer { spans in
                // -1, 0 or 1 as the texts of meetings a and b order; 2 when a's is the start of b's.
                func compare(_ a: Int, _ b: Int) -> Int {
                    let x = spans[a], y = spans[b]
                    let order = memcmp(base + x.start, base + y.start, min(x.count, y.count))
                    if order != 0 { return order < 0 ? -1 : 1 }
                    return x.count == y.count ? 0 : x.count < y.count ? 2 : 1
                }
                func precedes(_ a: Int, _ b: Int) -> Bool {
                    let order = compare(a, b)
                    return order == -1 || order == 2
                }
                // A long list is sorted in two halves on two threads, which are then merged: the ranks are the
                // same (equal ids get one rank whatever their order).
                if order.count < 8_192 {
                    order.sort(by: precedes)
                } else {
                    let halves = SortedHalves(order)
                    let sharedBase = UncheckedPointer(base), sharedSpans = UncheckedPointer(spans.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: 2) { half in
                        let base = sharedBase.pointer, spans = sharedSpans.pointer
                        // `precedes`, on the pointers this thread was given.
                        func precedes(_ a: Int, _ b: Int) -> Bool {
                            let x = spans[a], y = spans[b]
                            let order = memcmp(base + x.start, base + y.start, min(x.count, y.count))
                            if order != 0 { return order < 0 }
                            return x.count < y.count
                        }
                        if half == 0 { halves.low.sort(by: precedes) } else { halves.high.sort(by: precedes) }
                    }
                    let first = halves.low, second = halves.high
                    var i = 0, j = 0, k = 0
                    while i < first.count || j < second.count {
                        if j == second.count || (i < first.count && !precedes(second[j], first[i])) {
                            order[k] = first[i]
                            i += 1
                        } else {
                            order[k] = second[j]
                            j += 1
                        }
                        k += 1
                    }
                }
                var position = 0
                while position < order.count {
                    // The same id (a meeting listed twice) has the same rank; the ids whose texts start with this
                    // one's follow it directly, and then the key texts must be compared.
                    var next = position + 1
                    while next < order.count && compare(order[position], order[next]) == 0 { next += 1 }
                    let rank: Int32 =
                        next < order.count && compare(order[position], order[next]) == 2 ? -1 : Int32(position)
                    for index in position..<next { ranks[order[index]] = rank }
                    position = next
                }
            }
        }
        self.meetings = meetings
        self.ranks = ranks
    }

    /// Whether these ranks were worked out for `other` (the same array, not a changed copy).
    func ranks(_ other: [Meeting]) -> Bool {
        guard meetings.count == other.count else { return false }
        return meetings.withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
        }
    }
}

/// The two halves of a list of meetings, each sorted on a thread of its own. `@unchecked Sendable`: each thread
/// sorts only its own half, and the halves are read once `concurrentPerform` has returned.
private final class SortedHalves: @unchecked Sendable {
    var low: [Int]
    var high: [Int]

    init(_ order: [Int]) {
        let half = order.count / 2
        low = Array(order[..<half])
        high = Array(order[half...])
    }
}

/// A pointer read by the sorting threads. `@unchecked Sendable`: what it points to is not written while they run.
private struct UncheckedPointer<Pointee>: @unchecked Sendable {
    let pointer: UnsafePointer<Pointee>

    init(_ pointer: UnsafePointer<Pointee>) { self.pointer = pointer }
}

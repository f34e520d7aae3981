/// What orders a notification among others, apart from its meeting id: a plain value, copied without touching
/// any reference.
struct NotificationOrder: Sendable {
    var due: Int64
    var sequence: Int
    var kind: NotificationKind
    var sequenced: Bool
    /// The key is the made one and the meeting id is ASCII: keys order as their bytes.
    var madeASCII: Bool
    /// The key order the rank is in (its object's address, kept alive by the notification; 0: none) and the rank
    /// of the meeting id in it (-1: none).
    var keyOrder: UInt
    var keyRank: Int32

    /// Read from the notification in place (an initializer's argument is otherwise a copy, and copying a
    /// notification retains each of its references).
    init(_ n: borrowing DueNotification) {
        due = n.due.secondsSinceEpoch
        sequence = n.sequence
        kind = n.kind
        sequenced = n.keyIncludesSequence
        madeASCII = n.keyText == nil && n.meetingIDIsASCII
        keyOrder = n.shared.keyOrder.map { UInt(bitPattern: ObjectIdentifier($0)) } ?? 0
        keyRank = n.shared.keyRank
    }
}

extension NotificationOrder {
    /// Whether `a` comes before `b` by due time and then key, when their due times or key ranks decide: `nil`
    /// when the keys must be compared.
    static func precedes(_ a: NotificationOrder, _ b: NotificationOrder) -> Bool? {
        if a.due != b.due { return a.due < b.due }
        guard a.madeASCII, b.madeASCII, a.keyOrder != 0, a.keyOrder == b.keyOrder, a.keyRank >= 0, b.keyRank >= 0,
            a.keyRank != b.keyRank
        else { return nil }
        return a.keyRank < b.keyRank
    }
}

extension DueNotification {
    /// Whether `a`'s key sorts before `b`'s, as `a.key < b.key` does, without making the keys: for made keys of
    /// ASCII meeting ids the order is that of their bytes, compared piece by piece.
    static func keyPrecedes(_ a: DueNotification, _ b: DueNotification) -> Bool {
        madeKeyPrecedes(a.meetingID, NotificationOrder(a), b.meetingID, NotificationOrder(b)) ?? (a.key < b.key)
    }

    /// The order of two made keys of ASCII meeting ids, or `nil` when the key texts must be compared: a key that
    /// is not made, or a meeting id that is not ASCII or is the start of the other.
    static func madeKeyPrecedes(_ idA: String, _ a: NotificationOrder, _ idB: String, _ b: NotificationOrder) -> Bool? {
        guard a.madeASCII, b.madeASCII else { return nil }
        // Ranks in the same key order decide for different meetings; the same rank is the same meeting.
        if a.keyOrder != 0, a.keyOrder == b.keyOrder, a.keyRank >= 0, b.keyRank >= 0, a.keyRank != b.keyRank {
            return a.keyRank < b.keyRank
        }
        if idA == idB {
            // The same meeting: the keys differ after `<id>/`.
            if a.kind != b.kind { return Self.bytesPrecede(a.kind.rawValue, b.kind.rawValue) }
            switch (a.sequenced, b.sequenced) {
            case (false, false): return false
            case (false, true): return true
            case (true, false): return false
            case (true, true): return Self.bytesPrecede(String(a.sequence), String(b.sequence))
            }
        }
        // Different ids: where they first differ decides, unless one is the start of the other.
        // 0: one is the start of the other (or the text is not contiguous); 1: a first; 2: b first.
        let decided =
            idA.utf8.withContiguousStorageIfAvailable { x in
                idB.utf8.withContiguousStorageIfAvailable { y -> UInt8 in
                    let n = min(x.count, y.count)
                    var i = 0
                    while i < n {
                        if x[i] != y[i] { return x[i] < y[i] ? 1 : 2 }
                        i += 1
                    }
                    return 0
                } ?? 0
            } ?? 0
        return decided == 0 ? nil : decided == 1
    }

    /// Byte order of two ASCII texts (the order of `<` for them).
    private static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

extension Planner {
    /// Sorts by due time, then key. The order is worked out on indexes and then applied by moving each notification
    /// once: sorting the notifications themselves copies them (and their references) at every step of the merge.
    static func sortByDueAndKey(_ notifications: inout [DueNotification]) {
        let count = notifications.count
        guard count > 1 else { return }
        // What the comparisons read, in plain arrays: reading a notification in a comparison copies it.
        let orders = Self.orders(of: notifications)
        var order = Array(0..<count)
        orders.withUnsafeBufferPointer { orders in
            // The ids are read where they lie, when the due times and ranks do not decide.
            notifications.withUnsafeBufferPointer { all in
                order.sort { i, j in
                    // Due times and key ranks decide most pairs (many notifications share a due time), without
                    // touching the ids.
                    if let decided = NotificationOrder.precedes(orders[i], orders[j]) { return decided }
                    return DueNotification.madeKeyPrecedes(all[i].meetingID, orders[i], all[j].meetingID, orders[j])
                        ?? (all[i].key < all[j].key)
                }
            }
        }
        // Position k takes the notification at order[k]: follow each cycle of the permutation once.
        var placed = [Bool](repeating: false, count: count)
        notifications.withUnsafeMutableBufferPointer { all in
            guard let base = all.baseAddress else { return }
            for start in 0..<count where !placed[start] {
                let first = (base + start).move()
                var k = start
                while true {
                    placed[k] = true
                    let source = order[k]
                    if source == start {
                        (base + k).initialize(to: first)
                        break
                    }
                    (base + k).moveInitialize(from: base + source, count: 1)
                    k = source
                }
            }
        }
    }
}

extension Planner {
    /// The order fields of each notification, read in place (`map` would copy each notification).
    static func orders(of notifications: [DueNotification]) -> [NotificationOrder] {
        // From the array itself: an element read through an unsafe pointer is copied first.
        var orders: [NotificationOrder] = []
        orders.reserveCapacity(notifications.count)
        for index in notifications.indices { orders.append(NotificationOrder(notifications[index])) }
        return orders
    }

    /// Whether `a` comes before `b` in the planner's order: by due time, then key.
    public static func dueAndKeyPrecede(_ a: DueNotification, _ b: DueNotification) -> Bool {
        if a.due != b.due { return a.due < b.due }
        return DueNotification.keyPrecedes(a, b)
    }

    /// Hands `each` the notifications of two pieces, each sorted by due time and key (the same piece of two parts
    /// of `notifications(for:from:to:pieceSeconds:part:of:each:)`), in their merged order: what the piece of both
    /// parts together would hold, in its order.
    public static func inDueOrder(
        _ first: [DueNotification], _ second: [DueNotification], each: (DueNotification) throws -> Void
    ) rethrows {
        try inDueOrder(PieceOrder(first), PieceOrder(second)) { part, index in
            try each(part == 0 ? first[index] : second[index])
        }
    }

    /// Hands `each` the part (0: `first`, 1: `second`) and index of the notifications of two pieces in their merged
    /// order, as `inDueOrder(_:_:each:)` orders them. The pieces' orders are worked out beforehand (where the pieces
    /// were planned, their memory at hand), so the merge reads no notification unless two keys must be compared.
    /// Each order holds the notifications it was made from, so an order never meets another piece's notifications.
    public static func inDueOrder(
        _ firstOrder: PieceOrder, _ secondOrder: PieceOrder, each: (_ part: Int, _ index: Int) throws -> Void
    ) rethrows {
        let a = firstOrder.orders, b = secondOrder.orders
        let first = firstOrder.notifications, second = secondOrder.notifications
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if NotificationOrder.precedes(b[j], a[i]) ?? dueAndKeyPrecede(second[j], first[i]) {
                try each(1, j)
                j += 1
            } else {
                try each(0, i)
                i += 1
            }
        }
        while i < a.count {
            try each(0, i)
            i += 1
        }
        while j < b.count {
            try each(1, j)
            j += 1
        }
    }
}

/// What orders each notification of a piece among those of another (due time, key rank, the fields of a made key),
/// read from the piece once.
public struct PieceOrder: Sendable {
    /// The piece's notifications, sorted.
    public let notifications: [DueNotification]
    let orders: [NotificationOrder]

    /// The order fields of each of `notifications`.
    public init(_ notifications: [DueNotification]) {
        self.notifications = notifications
        orders = Planner.orders(of: notifications)
    }
}

/// What orders a notification among others, apart from its meeting id: a plain value, copied without touching
/// any reference.
struct NotificationOrder {
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

    init(_ n: DueNotification) {
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
        var orders: [NotificationOrder] = []
        var ids: [String] = []
        orders.reserveCapacity(count)
        ids.reserveCapacity(count)
        for index in 0..<count {
            orders.append(NotificationOrder(notifications[index]))
            ids.append(notifications[index].meetingID)
        }
        var order = Array(0..<count)
        orders.withUnsafeBufferPointer { orders in
            ids.withUnsafeBufferPointer { ids in
                order.sort { i, j in
                    if orders[i].due != orders[j].due { return orders[i].due < orders[j].due }
                    return DueNotification.madeKeyPrecedes(ids[i], orders[i], ids[j], orders[j])
                        ?? (notifications[i].key < notifications[j].key)
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
    /// Whether `a` comes before `b` in the planner's order: by due time, then key.
    public static func dueAndKeyPrecede(_ a: DueNotification, _ b: DueNotification) -> Bool {
        if a.due != b.due { return a.due < b.due }
        return DueNotification.keyPrecedes(a, b)
    }

    /// Hands `each` the notifications of two pieces, each sorted by due time and key (the same piece of two parts
    /// of `notifications(for:from:to:pieceSeconds:part:of:each:)`), in their merged order: what the piece of both
    /// parts together would hold, in its order. Each notification is read where it lies, not copied.
    public static func inDueOrder(
        _ first: [DueNotification], _ second: [DueNotification], each: (DueNotification) throws -> Void
    ) rethrows {
        // What the comparisons read, in plain arrays: most are decided by due time or key rank alone.
        let orders = (first.map(NotificationOrder.init), second.map(NotificationOrder.init))
        try first.withUnsafeBufferPointer { a in
            try second.withUnsafeBufferPointer { b in
                var i = 0, j = 0
                while i < a.count && j < b.count {
                    if NotificationOrder.precedes(orders.1[j], orders.0[i]) ?? dueAndKeyPrecede(b[j], a[i]) {
                        try each(b[j])
                        j += 1
                    } else {
                        try each(a[i])
                        i += 1
                    }
                }
                while i < a.count {
                    try each(a[i])
                    i += 1
                }
                while j < b.count {
                    try each(b[j])
                    j += 1
                }
            }
        }
    }
}

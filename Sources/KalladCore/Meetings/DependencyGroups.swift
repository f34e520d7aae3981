extension Scheduler {
    /// Positions in `order` split into at most `count` groups, each closed under `dependencies(of:)` (a body is in
    /// the group of every body it depends on) and in the order of `order`. Whole connected sets of bodies go to
    /// the group with the fewest bodies so far, in the order of their first body.
    func dependencyGroups(_ order: [Int], count: Int) -> [[Int]] {
        // Union-find over body indexes.
        var parent = Array(registry.bodies.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        for index in order {
            for dependency in dependencies(ofBodyAt: index) {
                guard let other = registry.index(ofBody: dependency) else { continue }
                let (a, b) = (root(index), root(other))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var sizes: [Int: Int] = [:]
        for index in order { sizes[root(index), default: 0] += 1 }
        var groupOf: [Int: Int] = [:]
        var groupSizes = [Int](repeating: 0, count: max(1, count))
        var groups = [[Int]](repeating: [], count: max(1, count))
        for (position, index) in order.enumerated() {
            let set = root(index)
            let group: Int
            if let found = groupOf[set] {
                group = found
            } else {
                group = groupSizes.indices.min { groupSizes[$0] < groupSizes[$1] } ?? 0
                groupOf[set] = group
                groupSizes[group] += sizes[set] ?? 0
            }
            groups[group].append(position)
        }
        return groups.filter { !$0.isEmpty }
    }
}

/// What each group of bodies worked out on its own thread: each thread sets only its own slot, and the slots are read
/// once every thread is done.
final class GroupResults: @unchecked Sendable {
    /// One group's meetings by body, problems by position in the dependency order, and all its meetings sorted by
    /// start, body rank and id, with their (start, body rank) keys.
    typealias Slot = (
        known: [String: [Meeting]], problems: [Int: [Diagnostic]], sorted: [Meeting], keys: [SortKey]
    )
    /// A meeting's wall-clock start (seconds), its body's rank in the order of `<body id>/` texts, and its body's
    /// index in `registry.bodies` (which never decides: the rank does first).
    typealias SortKey = (start: Int64, body: Int, index: Int32)

    private let count: Int
    private let slots: UnsafeMutablePointer<Slot>

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: ([:], [:], [], []), count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func set(_ group: Int, _ slot: Slot) {
        slots[group] = slot
    }

    func take(_ group: Int) -> Slot {
        let slot = slots[group]
        slots[group] = ([:], [:], [], [])
        return slot
    }
}

import Glibc

/// The ids of one kind that the registry declares, each with a value, found by the id's bytes.
///
/// A national registry declares tens of thousands of ids and its seats look up over a hundred thousand office ids:
/// a `[String: Value]` hashes each with SipHash (seeded per process) and, for a scalar of the YAML tree, first needs
/// a `String` made of its bytes. Here an id is hashed a machine word at a time, straight from the file's bytes
/// where it stands, and compared byte for byte only when the whole hash matches; the table grows by moving the
/// hashes it keeps, never hashing an id twice. Ids are kept in the order they were first declared, so the place
/// of an id is its number among them (the reader's offices are in that order).
///
/// A class: the reader keeps one per kind and changes it in place.
final class IDTable<Value> {
    /// The ids, in the order they were first put in (a removed one keeps its place and number).
    private(set) var ids: [String] = []
    private var values: [Value] = []
    /// Whether the id at each place is in the table: a body read too early is taken out again.
    private var present: [Bool] = []
    /// Each id's hash, and its bytes (id k's bytes run from `starts[k]` to `starts[k + 1]`).
    private var hashes: [UInt64] = []
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    /// Open addressing, looked through one slot after the next: a slot holds the place of an id + 1, or 0.
    private var slots: [Int32] = [Int32](repeating: 0, count: 16)
    /// How many ids are in the table.
    private(set) var count = 0

    init() {}

    /// The ids in the table (in no particular order).
    var keys: [String] { ids.indices.filter { present[$0] }.map { ids[$0] } }

    /// The value of `id`, if it is in the table.
    subscript(_ id: String) -> Value? {
        guard let place = place(of: id) else { return nil }
        return values[place]
    }

    /// Whether `id` is in the table.
    func contains(_ id: String) -> Bool { place(of: id) != nil }

    /// The number of `id` among the ids in the order they were first put in, if it is in the table.
    func place(of id: String) -> Int? {
        var id = id
        return id.withUTF8 { place(ofBytes: $0) }
    }

    /// The number of the id whose bytes these are, if it is in the table.
    func place(ofBytes id: UnsafeBufferPointer<UInt8>) -> Int? {
        let found = slot(of: id, hash: Self.hash(id))
        guard found.place >= 0, present[found.place] else { return nil }
        return found.place
    }

    /// Puts `id` in with `value` and returns `nil`; when it is in already, changes nothing and returns its value.
    func insert(_ id: String, _ value: Value) -> Value? {
        var id = id
        let (place, slot, hash) = id.withUTF8 { bytes in
            let hash = Self.hash(bytes)
            let found = self.slot(of: bytes, hash: hash)
            return (found.place, found.slot, hash)
        }
        if place >= 0 {
            if present[place] { return values[place] }
            present[place] = true
            values[place] = value
            count += 1
            return nil
        }
        slots[slot] = Int32(ids.count + 1)
        ids.append(id)
        values.append(value)
        present.append(true)
        hashes.append(hash)
        id.withUTF8 { bytes.append(contentsOf: $0) }
        starts.append(bytes.count)
        count += 1
        // At most half the slots taken: the look-ups of ids not in the table stop soon.
        if ids.count * 2 > slots.count { grow() }
        return nil
    }

    /// Takes `id` out, if it is in.
    func remove(_ id: String) {
        guard let place = place(of: id) else { return }
        present[place] = false
        count -= 1
    }

    /// The slot of the id with these bytes and hash (`place` its number), or the empty slot where it would go
    /// (`place` -1).
    private func slot(of id: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (slot: Int, place: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                starts.withUnsafeBufferPointer { starts in
                    bytes.withUnsafeBufferPointer { bytes in
                        while true {
                            let entry = Int(slots[slot])
                            if entry == 0 { return (slot, -1) }
                            let place = entry - 1
                            if hashes[place] == hash {
                                let start = starts[place], length = starts[place + 1] - start
                                if length == id.count
                                    && (length == 0 || memcmp(bytes.baseAddress! + start, id.baseAddress!, length) == 0)
                                {
                                    return (slot, place)
                                }
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// Twice the slots, each id put back by the hash it has.
    private func grow() {
        var wider = [Int32](repeating: 0, count: slots.count * 2)
        let mask = wider.count - 1
        for place in ids.indices {
            var slot = Int(truncatingIfNeeded: hashes[place]) & mask
            while wider[slot] != 0 { slot = (slot + 1) & mask }
            wider[slot] = Int32(place + 1)
        }
        slots = wider
    }

    /// A hash of the bytes, taken eight at a time, each word mixed in by a multiplication and a shift.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return hash }
        var at = 0
        func mix(_ word: UInt64) {
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
        }
        while at + 8 <= bytes.count {
            mix(UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self))
            at += 8
        }
        if at < bytes.count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while at < bytes.count {
                word |= UInt64(base[at]) << shift
                shift += 8
                at += 1
            }
            mix(word)
        }
        hash = (hash ^ (hash >> 29)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 32)
    }
}

import Glibc

/// The ids of one kind that the registry declares, each with a value, found by the id's bytes.
///
/// A national registry declares tens of thousands of ids and its seats look up over a hundred thousand office ids:
/// a `[String: Value]` hashes each with SipHash (seeded per process) and, for a scalar of the YAML tree, first needs
/// a `String` made of its bytes. Here an id is hashed a machine word at a time, straight from the file's bytes
/// where it stands. A slot of the table holds part of the hash and where the id's bytes are, so a look-up reads
/// the slot and, only when that part matches, the bytes (the table is larger than the cache: each read is a
/// miss). The table grows by moving the hashes it keeps, never hashing an id twice. Ids are numbered in the order
/// they are put in, so an id's number is its place among them (the reader's offices are in that order).
///
/// A class, as the reader keeps one per kind and changes it in place; its state is one value, so a look-up makes
/// one exclusivity check, not one per array.
final class IDTable<Value> {
    private var state = State()

    init() {}

    /// How many ids are in the table.
    var count: Int { state.count }

    /// The ids in the table (in no particular order).
    var keys: [String] { state.ids.indices.filter { state.present[$0] }.map { state.ids[$0] } }

    /// The value of `id`, if it is in the table.
    subscript(_ id: String) -> Value? {
        guard let place = place(of: id) else { return nil }
        return state.values[place]
    }

    /// Whether `id` is in the table.
    func contains(_ id: String) -> Bool { place(of: id) != nil }

    /// The number of `id` among the ids in the order they were put in, if it is in the table.
    func place(of id: String) -> Int? {
        var id = id
        return id.withUTF8 { place(ofBytes: $0) }
    }

    /// The number of the id whose bytes these are, if it is in the table.
    func place(ofBytes id: UnsafeBufferPointer<UInt8>) -> Int? {
        let place = state.find(id, hash: State.hash(id)).place
        return place >= 0 ? place : nil
    }

    /// Puts `id` in with `value` and returns `nil`; when it is in already, changes nothing and returns its value.
    func insert(_ id: String, _ value: Value) -> Value? {
        var bytes = id
        return bytes.withUTF8 { state.insert($0, text: id, value) }
    }

    /// Takes `id` out, if it is in. Put in again, it has a new number.
    func remove(_ id: String) {
        var id = id
        id.withUTF8 { state.remove($0) }
    }

    /// Everything the table holds, in one value.
    private struct State {
        /// A place in the open-addressed table, looked through one after the next.
        struct Slot {
            /// The upper half of the id's hash.
            var tag: UInt32 = 0
            /// The id's number + 1; 0 for an empty slot, -1 for an id taken out (look-ups go past it).
            var entry: Int32 = 0
            /// Where the id's bytes are in `bytes`.
            var start: Int32 = 0
            var length: Int32 = 0
        }

        var slots = [Slot](repeating: Slot(), count: 16)
        /// The ids, their values, whether each is still in, and each one's whole hash (for growing), by number.
        var ids: [String] = []
        var values: [Value] = []
        var present: [Bool] = []
        var hashes: [UInt64] = []
        /// Every id's bytes, one after another.
        var bytes: [UInt8] = []
        var count = 0

        /// The number of the id with these bytes and hash (-1 when it is not in), and its slot, or the empty slot
        /// where it would go.
        func find(_ id: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (place: Int, slot: Int) {
            let tag = UInt32(truncatingIfNeeded: hash >> 32), length = Int32(id.count)
            return slots.withUnsafeBufferPointer { slots in
                bytes.withUnsafeBufferPointer { bytes in
                    let mask = slots.count - 1
                    var at = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let slot = slots[at]
                        if slot.entry == 0 { return (-1, at) }
                        if slot.entry > 0 && slot.tag == tag && slot.length == length
                            && (length == 0
                                || memcmp(bytes.baseAddress! + Int(slot.start), id.baseAddress!, id.count) == 0)
                        {
                            return (Int(slot.entry) - 1, at)
                        }
                        at = (at + 1) & mask
                    }
                }
            }
        }

        mutating func insert(_ id: UnsafeBufferPointer<UInt8>, text: String, _ value: Value) -> Value? {
            let hash = Self.hash(id)
            let (place, at) = find(id, hash: hash)
            if place >= 0 { return values[place] }
            slots[at] = Slot(
                tag: UInt32(truncatingIfNeeded: hash >> 32), entry: Int32(ids.count + 1), start: Int32(bytes.count),
                length: Int32(id.count))
            ids.append(text)
            values.append(value)
            present.append(true)
            hashes.append(hash)
            bytes.append(contentsOf: id)
            count += 1
            // At most half the slots used (the ids taken out too): a look-up of an id not in stops soon.
            if ids.count * 2 > slots.count { grow() }
            return nil
        }

        mutating func remove(_ id: UnsafeBufferPointer<UInt8>) {
            let (place, at) = find(id, hash: Self.hash(id))
            guard place >= 0 else { return }
            slots[at].entry = -1
            present[place] = false
            count -= 1
        }

        /// Twice the slots, each id that is in put back by its hash.
        mutating func grow() {
            var wider = [Slot](repeating: Slot(), count: slots.count * 2)
            let mask = wider.count - 1
            for slot in slots where slot.entry > 0 {
                var at = Int(truncatingIfNeeded: hashes[Int(slot.entry) - 1]) & mask
                while wider[at].entry != 0 { at = (at + 1) & mask }
                wider[at] = slot
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
}

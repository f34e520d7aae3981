import Foundation
import Synchronization
public import KalladCore

/// What one attempt settled, handed to the store as soon as the server has answered.
public struct SettledAttempt: Hashable, Sendable {
    /// The delivery.
    public var id: Int64
    /// Which attempt of it (the claim's `ClaimedDelivery.attempt`): an outcome only settles the attempt it is for.
    public var attempt: Int
    /// The attempt's record.
    public var record: AttemptRecord
    /// What it settled.
    public var resolution: Resolution
    /// When it was decided.
    public var now: Instant

    /// Creates a settled attempt.
    public init(id: Int64, attempt: Int, record: AttemptRecord, resolution: Resolution, now: Instant) {
        self.id = id
        self.attempt = attempt
        self.record = record
        self.resolution = resolution
        self.now = now
    }
}

/// Outcomes the server has answered but the database has not yet committed, one line each in
/// `<database>-outcomes`. The line is stored before the transport starts the connection's next message, and the
/// journal is emptied whenever every line in it has been committed. After a crash, `KalladDatabase.recoverInterrupted`
/// settles the deliveries still `sending` from it — so a crash repeats at most the message each connection had in
/// flight, while the database commits outcomes in groups on a thread of its own.
///
/// The file is mapped into memory (`MAP_SHARED`, its blocks allocated up front with `posix_fallocate`, so a full disk
/// is an error here and never a fault later): appending a line is writing it into the page cache, no system call, on
/// the sending thread's path. A killed process leaves its pages to the kernel, which writes them out; a line cut short
/// (no `end`) or the zeros after the last line are skipped when reading. Like a commit with `synchronous=NORMAL`, a
/// line survives the process, not the machine's power: a power cut costs a duplicate, never a loss.
final class OutcomeJournal: Sendable {
    let path: String
    private let descriptor: Int32
    private let region: Mutex<Region>

    /// The mapped file: `used` bytes of lines, then zeros up to `capacity`.
    private struct Region {
        var base: UnsafeMutableRawPointer?
        var capacity = 0
        var used = 0
        /// Bytes from the start whose pages have been written since they were mapped (`touchAhead`).
        var touched = 0
    }

    /// Space is allocated (and mapped) in steps of this many bytes.
    static let step = 1 << 20

    /// Opens (creating) the journal, keeping what it holds for recovery; nil when it cannot be opened or allocated
    /// (then outcomes are only as safe as their commit).
    init?(path: String) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            return nil
        }
        let size = Int(status.st_size)
        var state = Region()
        guard Self.map(descriptor, &state, capacity: max(Self.step, (size + Self.step - 1) / Self.step * Self.step))
        else {
            close(descriptor)
            return nil
        }
        // Lines already there (written before a crash) stay until recovery has read them; new ones go after them.
        if let base = state.base {
            let bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size)
            state.used = bytes.firstIndex(of: 0) ?? size
        }
        region = Mutex(state)
    }

    deinit {
        region.withLock { state in
            if let base = state.base { munmap(base, state.capacity) }
        }
        close(descriptor)
    }

    /// Allocates the file's blocks up to `capacity` and maps that much.
    private static func map(_ descriptor: Int32, _ state: inout Region, capacity: Int) -> Bool {
        guard posix_fallocate(descriptor, 0, off_t(capacity)) == 0 else { return false }
        guard let base = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
            base != MAP_FAILED
        else { return false }
        if let old = state.base { munmap(old, state.capacity) }
        state.base = base
        state.capacity = capacity
        state.touched = 0
        return true
    }

    /// Appends one outcome, encoded straight into the mapped file (no line buffer, no copy); false when there was no
    /// room for it (a full disk).
    func append(_ outcome: SettledAttempt) -> Bool {
        let room = JournalLine.room(for: outcome)
        return region.withLock { state in
            if state.used + room > state.capacity {
                let needed = (state.used + room + Self.step - 1) / Self.step * Self.step
                guard Self.map(descriptor, &state, capacity: max(needed, state.capacity * 2)) else { return false }
            }
            guard let base = state.base else { return false }
            state.used += JournalLine.write(outcome, at: (base + state.used).assumingMemoryBound(to: UInt8.self))
            return true
        }
    }

    /// Writes a zero into each page of the next `bytes` after the last line that has not been written since it was
    /// mapped: the first write to a page of a shared file mapping is a page fault (the file system readies the page
    /// for writing), which this takes on the caller's thread — the store's, after a commit — instead of the sending
    /// thread's, when it appends. The pages hold zeros already; reading the journal is unchanged.
    /// One page at a time, so an append waits for one page fault at most.
    func touchAhead(_ bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var more = true
        while more {
            more = region.withLock { state -> Bool in
                guard let base = state.base else { return false }
                // The page after the last line's, or after the last page readied, whichever is further.
                let offset = max(state.touched, (state.used + page - 1) / page * page)
                guard offset < min(state.capacity, state.used + bytes) else { return false }
                base.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
                state.touched = offset + page
                return true
            }
        }
    }

    /// Empties the journal: everything in it has been committed.
    func reset() {
        region.withLock { state in
            guard let base = state.base, state.used > 0 else { return }
            memset(base, 0, state.used)
            state.used = 0
            // A burst that grew the file gives the space back.
            if state.capacity > 4 * Self.step {
                munmap(base, state.capacity)
                state.base = nil
                _ = ftruncate(descriptor, off_t(Self.step))
                if !Self.map(descriptor, &state, capacity: Self.step) { state.capacity = 0 }
            }
        }
    }

    /// The outcomes in the journal at `path`: its lines up to the first zero byte — where the journal ends, and
    /// where an open journal appends — skipping a line that is not whole. The file is read a piece at a time and
    /// only its lines are kept, so a start does not hold the whole allocated file (a megabyte or more) in memory.
    static func read(path: String) -> [SettledAttempt] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var lines: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = piece.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            if let end = piece[..<count].firstIndex(of: 0) {
                lines += piece[..<end]
                break
            }
            lines += piece[..<count]
        }
        return String(decoding: lines, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .compactMap { decode($0) }
    }
}

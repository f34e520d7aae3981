import Dispatch
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the database file on a connection and a thread of its own, so a commit never
/// waits for a checkpoint (SQLite's own automatic checkpoint runs inside the commit that crosses its threshold: a
/// stall of tens of milliseconds for every trigger and outcome in that round).
///
/// The writer connection tells it how long the log has grown after each commit (`sqlite3_wal_hook`, which takes
/// the place of SQLite's automatic checkpoint); past `threshold` frames it runs a `PASSIVE` checkpoint, which never
/// blocks the writer or the readers. The store also asks for one when it has been quiet for a second (`soon`).
///
/// While a batch is being sent (outcomes were noted since the last commit's look, `sending`), the log may grow to
/// `sendingThreshold` frames first: a checkpoint copies every page again and takes a core from the connection and
/// the server for milliseconds, and the batch's pages are copied once it has gone, when the store is quiet.
final class WALCheckpointer: Sendable {
    /// Frames in the log that make a checkpoint start (SQLite's default is 1,000 pages).
    let threshold: Int32
    /// Frames in the log that make a checkpoint start while a batch is being sent.
    let sendingThreshold: Int32
    /// Outcomes noted so far, and as many as the last look after a commit saw.
    private let noted = Atomic<Int>(0)
    private let notedAtLastLook = Mutex(0)
    private let path: String
    private let queue = DispatchQueue(label: "kallad.store.checkpoint", qos: .utility)
    private let state = Mutex(State())

    private struct State {
        /// A checkpoint is queued or running.
        var scheduled = false
        /// The store refuses writes (a backup copy of its files may be under way): no checkpoint until it takes them.
        var paused = false
        /// Checkpoints that ran, and the result code SQLite gave the last one (for tests and diagnostics).
        var runs = 0
        var lastError: Int32 = SQLITE_OK
        /// Frames in the log and frames copied into the database, as the last checkpoint left them.
        var logFrames: Int32 = 0
        var copiedFrames: Int32 = 0
    }

    /// The connection the checkpoints run on, opened on first use; only touched on `queue`.
    private let connection = Mutex<OpaquePointer?>(nil)

    init(path: String, threshold: Int32 = 1_000, sendingThreshold: Int32 = 10_000) {
        self.path = path
        self.threshold = threshold
        self.sendingThreshold = sendingThreshold
    }

    /// An outcome was noted: a batch is being sent.
    func sending() { noted.wrappingAdd(1, ordering: .relaxed) }

    /// Whether a log of `frames` frames, just after a commit, wants a checkpoint now.
    func wants(_ frames: Int32) -> Bool {
        guard frames >= threshold else { return false }
        let now = noted.load(ordering: .relaxed)
        let before = notedAtLastLook.withLock { last in
            defer { last = now }
            return last
        }
        return now == before || frames >= sendingThreshold
    }

    deinit {
        connection.withLock { handle in
            if let handle { sqlite3_close_v2(handle) }
            handle = nil
        }
    }

    /// How many checkpoints have run.
    var runs: Int { state.withLock { $0.runs } }

    /// What the last checkpoint did: SQLite's result code, the frames in the log and those copied (all of them when
    /// it finished the log).
    var last: (code: Int32, logFrames: Int32, copiedFrames: Int32) {
        state.withLock { ($0.lastError, $0.logFrames, $0.copiedFrames) }
    }

    /// Installs the hook on the writer connection `db`: after each commit, SQLite says how many frames the log holds.
    func watch(_ db: OpaquePointer) {
        // The hook's context is this checkpointer, unretained: the pool's `prepareDatabase` closure, which installs
        // the hook, holds it, so it lives as long as any connection that may call the hook.
        sqlite3_wal_hook(
            db,
            { context, _, _, frames in
                guard let context else { return SQLITE_OK }
                let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
                if checkpointer.wants(frames) { checkpointer.soon() }
                return SQLITE_OK
            },
            Unmanaged.passUnretained(self).toOpaque())
    }

    /// Stops checkpoints while the store refuses writes, and lets them run again.
    func pause(_ paused: Bool) {
        state.withLock { $0.paused = paused }
        if paused {
            queue.sync {}  // a checkpoint under way ends before this returns
        } else {
            soon()
        }
    }

    /// Runs a checkpoint on the checkpointer's thread, unless one is already queued or running, or checkpoints are
    /// paused.
    func soon() {
        let start = state.withLock { state -> Bool in
            guard !state.scheduled, !state.paused else { return false }
            state.scheduled = true
            return true
        }
        guard start else { return }
        queue.async { self.run() }
    }

    private func run() {
        let paused = state.withLock { state -> Bool in
            state.scheduled = false
            return state.paused
        }
        guard !paused else { return }
        var logFrames: Int32 = 0
        var copiedFrames: Int32 = 0
        let code = connection.withLock { handle -> Int32 in
            if handle == nil {
                var opened: OpaquePointer?
                let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
                guard code == SQLITE_OK, let opened else {
                    if let opened { sqlite3_close_v2(opened) }
                    return code
                }
                sqlite3_busy_timeout(opened, 1_000)
                // A checkpoint on a connection that has not read the database yet finds no log to copy: read the
                // schema's version once, which opens the write-ahead log.
                let read = sqlite3_exec(opened, "PRAGMA schema_version", nil, nil, nil)
                guard read == SQLITE_OK else {
                    sqlite3_close_v2(opened)
                    return read
                }
                handle = opened
            }
            return sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedFrames)
        }
        state.withLock { state in
            state.runs += 1
            state.lastError = code
            state.logFrames = logFrames
            state.copiedFrames = copiedFrames
        }
    }
}

import Foundation
import KalladCore
@testable import KalladStore
import Testing

@Suite("Checkpoints of the write-ahead log, beside the writer")
struct CheckpointTests {
    /// Waits (up to two seconds) until `condition` holds.
    func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// How many bytes the write-ahead log file holds.
    func walSize(_ temp: TemporaryDatabase) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: temp.path + "-wal"))?[.size] as? Int) ?? 0
    }

    @Test("while a batch is being sent the log may grow to its sending threshold; once outcomes stop, the usual one holds")
    func deferredWhileSending() {
        let checkpointer = WALCheckpointer(path: "/nonexistent", threshold: 1_000, sendingThreshold: 10_000)
        #expect(!checkpointer.wants(999))
        #expect(checkpointer.wants(1_000), "nothing noted: the usual threshold")
        checkpointer.sending()
        #expect(!checkpointer.wants(5_000), "an outcome noted since the last look: a batch is being sent")
        checkpointer.sending()
        #expect(checkpointer.wants(10_000), "a log this long is copied even while sending")
        #expect(checkpointer.wants(1_200), "no outcome since the last look: the batch has gone")
    }

    @Test("a log past its threshold is checkpointed off the writer, and the next writes reuse the log from its start")
    func pastThreshold() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        let big = String(repeating: "x", count: 3_000)
        // About 1,500 pages in one commit: past the threshold of 1,000 frames.
        _ = try db.enqueue(
            (0..<1_500).map { n in
                var made = notification("big-\(n)")
                made.deliveries[0].message = big
                return made
            }, now: t0)
        #expect(try await eventually { db.checkpointer.runs >= 1 })
        let last = db.checkpointer.last
        #expect(last.code == 0 && last.logFrames > 1_000 && last.copiedFrames == last.logFrames, "\(last)")
        let size = walSize(temp)
        // After a complete checkpoint the next commits write from the start of the log again: it does not grow.
        for n in 0..<20 { _ = try db.enqueue([notification("small-\(n)")], now: t0) }
        #expect(walSize(temp) == size)
        #expect(try db.integrityCheck())
        #expect(try db.countsByState() == [.queued: 1_520])
    }

    @Test("no checkpoint while the store refuses writes; one follows when it takes them again")
    func pausedWhileRefusing() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("a")], now: t0)
        try db.refuseWrites(true)
        let before = db.checkpointer.runs
        db.checkpointer.soon()
        try await Task.sleep(for: .milliseconds(300))
        #expect(db.checkpointer.runs == before)
        try db.refuseWrites(false)
        #expect(try await eventually { db.checkpointer.runs == before + 1 })
    }
}

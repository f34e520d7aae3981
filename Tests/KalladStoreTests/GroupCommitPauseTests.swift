import Foundation
import Synchronization
import Testing

@testable import KalladStore

/// The pause after a loaded round (several jobs): it ends once as many jobs wait as a recent round held, and
/// otherwise lasts `loadedPause`.
@Suite("Group commit: the pause after a loaded round")
struct GroupCommitPauseTests {
    /// A job whose `done` signals `finished`.
    static func job(_ finished: DispatchSemaphore) -> GroupCommit.Job {
        GroupCommit.Job(durable: false, work: { _ in }, done: { _ in finished.signal() })
    }

    @Test("clients that send again as soon as they are answered do not wait out the pause")
    func fullRoundEndsThePause() async throws {
        let sizes = Mutex<[Int]>([])
        let commits = GroupCommit(label: "test.pause.full", loadedPause: .seconds(5)) { jobs in
            sizes.withLock { $0.append(jobs.count) }
            return Array(repeating: nil, count: jobs.count)
        }
        // Four clients on threads of their own (the cooperative pool may be held up by busy tests), ten jobs each,
        // each sent when the one before is answered. A pause waited out takes 5 s. Each client notes when its
        // ninth job was answered: the clients may be out of step by a round, and then the last job comes alone
        // after a round of four and does wait out its pause.
        let started = ContinuousClock.now
        let ninth = Mutex<[Duration]>([])
        let clients = (0..<4).map { _ in
            Thread {
                let finished = DispatchSemaphore(value: 0)
                for n in 1...10 {
                    commits.submit(Self.job(finished))
                    finished.wait()
                    if n == 9 { ninth.withLock { $0.append(ContinuousClock.now - started) } }
                }
            }
        }
        for client in clients { client.start() }
        while clients.contains(where: { !$0.isFinished }) {
            try await Task.sleep(for: .milliseconds(10))
            #expect(ContinuousClock.now - started < .seconds(60))
        }
        let rounds = sizes.withLock { $0 }
        #expect(ninth.withLock { $0.count } == 4)
        #expect(ninth.withLock { $0.max() ?? .zero } < .seconds(4), "rounds: \(rounds)")
        #expect(rounds.reduce(0, +) == 40)
    }

    @Test("after a round of two, one job alone waits for the rest of the pause")
    func shortRoundWaits() async throws {
        let firstStarted = DispatchSemaphore(value: 0)
        let firstRound = DispatchSemaphore(value: 0)
        let sizes = Mutex<[Int]>([])
        let commits = GroupCommit(label: "test.pause.short", loadedPause: .milliseconds(400)) { jobs in
            // The first round (one job) is held until two more jobs wait, so the second round holds both.
            if sizes.withLock({ sizes in defer { sizes.append(jobs.count) }; return sizes.isEmpty }) {
                firstStarted.signal()
                firstRound.wait()
            }
            return Array(repeating: nil, count: jobs.count)
        }
        let waited = Mutex<Duration?>(nil)
        let client = Thread {
            let finished = DispatchSemaphore(value: 0)
            commits.submit(Self.job(finished))
            firstStarted.wait()
            commits.submit(Self.job(finished))
            commits.submit(Self.job(finished))
            firstRound.signal()
            for _ in 0..<3 { finished.wait() }
            // The round of two has been committed: the commit's thread now pauses for up to 400 ms.
            let sent = ContinuousClock.now
            commits.submit(Self.job(finished))
            finished.wait()
            waited.withLock { $0 = ContinuousClock.now - sent }
        }
        client.start()
        while !client.isFinished { try await Task.sleep(for: .milliseconds(10)) }
        #expect(sizes.withLock { $0 } == [1, 2, 1])
        let wait = try #require(waited.withLock { $0 })
        #expect(wait >= .milliseconds(300), "waited \(wait)")
    }
}

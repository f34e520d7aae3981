import Foundation
import KalladDaemon
import Testing

@Suite("Doorbell")
struct DoorbellTests {
    @Test("a ring wakes the waiter; a ring with nobody waiting is kept once; a quiet wait times out")
    func rings() async {
        let bell = Doorbell()
        #expect(await bell.wait(timeout: .milliseconds(20)) == false)
        bell.ring()
        bell.ring()
        #expect(await bell.wait(timeout: .seconds(5)))
        #expect(await bell.wait(timeout: .milliseconds(20)) == false, "two rings while nobody waited count once")
        for round in 0..<20 {
            async let woke = bell.wait(timeout: .seconds(10))
            try? await Task.sleep(for: .milliseconds(5))
            bell.ring()
            #expect(await woke, "round \(round)")
        }
    }

    @Test("a cancelled wait returns at once")
    func cancelled() async {
        let bell = Doorbell()
        let task = Task { await bell.wait(timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        let started = Date()
        #expect(await task.value == false)
        #expect(Date().timeIntervalSince(started) < 5)
        bell.ring()
        #expect(await bell.wait(timeout: .seconds(5)))
    }
}

import KalladCore
import Testing

@testable import KalladStore

@Suite("A condition on ids for claims")
struct IDMatchTests {
    @Test("ids one after the other are matched by their first and last, others by the list")
    func shapes() {
        let run = IDMatch([7, 8, 9, 10], parametersFrom: 3)
        #expect(run.isRun)
        #expect(run.sql == "BETWEEN ?3 AND ?4")
        let one = IDMatch([42], parametersFrom: 2)
        #expect(one.isRun)
        #expect(one.sql == "BETWEEN ?2 AND ?3")
        let gaps = IDMatch([7, 9, 10], parametersFrom: 2)
        #expect(!gaps.isRun)
        #expect(gaps.sql == "IN (?, ?, ?)")
        let unordered = IDMatch([8, 7], parametersFrom: 2)
        #expect(!unordered.isRun)
    }

    @Test("a claim over ids with a gap (a cancelled delivery between) marks exactly the due ones sending")
    func claimWithGap() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<5).map { notification("k\($0)") }, now: t0)
        let ids = try db.deliveries(DeliveryFilter()).map(\.id).sorted()
        try db.settle([ids[2]], as: .cancelled, reason: "meeting cancelled", now: t0)
        let claimed = try db.claimDue(now: t0, limit: 10)
        #expect(claimed.map(\.id).sorted() == [ids[0], ids[1], ids[3], ids[4]])
        #expect(claimed.allSatisfy { $0.attempt == 1 })
        #expect(try db.countsByState() == [.sending: 4, .cancelled: 1])
    }
}

import KalladDaemon
import Testing

@Suite("A big enqueue is written in growing pieces")
struct EnqueuePiecesTests {
    @Test("a tenth of a chunk first, then doubling up to the chunk, covering every notification once in order")
    func growing() {
        let pieces = PlannerTick.pieces(of: 10_000, chunk: 1_000)
        #expect(pieces.prefix(5).map(\.count) == [100, 200, 400, 800, 1_000])
        #expect(pieces.dropFirst(4).dropLast().allSatisfy { $0.count == 1_000 })
        #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == 10_000)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }

    @Test("nothing, a few, and a chunk of one")
    func edges() {
        #expect(PlannerTick.pieces(of: 0, chunk: 1_000).isEmpty)
        #expect(PlannerTick.pieces(of: 7, chunk: 1_000) == [0..<7])
        #expect(PlannerTick.pieces(of: 3, chunk: 1) == [0..<1, 1..<2, 2..<3])
        #expect(PlannerTick.pieces(of: 3, chunk: 0) == [0..<1, 1..<2, 2..<3])
    }
}

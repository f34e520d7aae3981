/// Wakes a sleeping loop early: a trigger or a reload rings it, and the planner tick runs at once instead of at
/// the next minute. Rings while nobody waits are kept as one.
public struct Doorbell: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Creates a doorbell.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Rings it.
    public func ring() { continuation.yield() }

    /// Waits until it rings or `timeout` passes (or the task is cancelled); true when it rang.
    public func wait(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            let stream = self.stream
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

import Foundation

/// Wakes a sleeping loop early: a trigger or a reload rings it, and the planner tick runs at once instead of at
/// the next minute. Rings while nobody waits are kept as one. One waiter at a time (each loop has its own bell).
public final class Doorbell: @unchecked Sendable {
    // Safe: every stored property is read and written only with `lock` held, and continuations are resumed
    // after it is released.
    private let lock = NSLock()
    private var rung = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Bool, Never>)?
    private var lastID: UInt64 = 0
    /// A wait that timed out or was cancelled before its continuation was in place.
    private var expired: UInt64?

    /// Creates a doorbell.
    public init() {}

    /// Rings it.
    public func ring() {
        lock.lock()
        if let current = waiter {
            waiter = nil
            lock.unlock()
            current.continuation.resume(returning: true)
        } else {
            rung = true
            lock.unlock()
        }
    }

    /// Waits until it rings or `timeout` passes (or the task is cancelled); true when it rang.
    public func wait(timeout: Duration) async -> Bool {
        let id: UInt64 = lock.withLock {
            lastID += 1
            return lastID
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.end(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                lock.lock()
                if rung {
                    rung = false
                    lock.unlock()
                    continuation.resume(returning: true)
                } else if expired == id {
                    expired = nil
                    lock.unlock()
                    continuation.resume(returning: false)
                } else {
                    let previous = waiter
                    waiter = (id, continuation)
                    lock.unlock()
                    previous?.continuation.resume(returning: false)
                }
            }
        } onCancel: {
            end(id)
        }
    }

    /// Ends wait `id` without a ring (timeout or cancellation).
    private func end(_ id: UInt64) {
        lock.lock()
        if let current = waiter, current.id == id {
            waiter = nil
            lock.unlock()
            current.continuation.resume(returning: false)
        } else {
            if waiter == nil { expired = id }
            lock.unlock()
        }
    }
}

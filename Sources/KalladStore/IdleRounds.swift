import Foundation
import Synchronization

/// The scheduling class a commit round runs in. A round that holds only the outbox's own work (claims and noted
/// outcomes) runs at `SCHED_IDLE`: it takes a core only when nothing else wants it, and any other thread that wakes
/// on that core (the SMTP connection's thread, the mail server) takes it back at once — where at the normal class a
/// burst of a millisecond or two held up the wire. Any other round (a trigger, an enqueue, a write that waits for the
/// writer) runs at the normal class, and so does an idle round the moment such work starts waiting for it: the
/// waiting work raises it (`GroupCommit.submit`, `KalladDatabase.write`), so it never waits behind a round starved of
/// CPU for longer than that round takes at the normal class.
///
/// Going back from `SCHED_IDLE` takes `CAP_SYS_NICE` or a `RLIMIT_NICE` that allows the thread's nice value (systemd:
/// `LimitNICE=`); without either, a thread could be lowered but never raised, so rounds are never lowered. That is
/// tried once, on a thread of its own.
enum IdleRounds {
    /// Whether a thread lowered to `SCHED_IDLE` can be raised again (tried once, on a throwaway thread).
    static let available: Bool = probe()

    /// `SCHED_IDLE` and `SCHED_OTHER` (linux/sched.h).
    private static let idlePolicy: Int32 = 5
    private static let normalPolicy: Int32 = 0

    /// Lowers the calling thread to `SCHED_IDLE`; false when it could not.
    static func lowerCurrentThread() -> Bool {
        var parameters = sched_param()
        return pthread_setschedparam(pthread_self(), idlePolicy, &parameters) == 0
    }

    /// Raises `thread` to the normal class (it must still be running).
    static func raise(_ thread: pthread_t) {
        var parameters = sched_param()
        _ = pthread_setschedparam(thread, normalPolicy, &parameters)
    }

    private static func probe() -> Bool {
        let probe = Probe()
        let context = Unmanaged.passRetained(probe).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                let probe = Unmanaged<Probe>.fromOpaque(context).takeRetainedValue()
                var parameters = sched_param()
                let lowered = pthread_setschedparam(pthread_self(), IdleRounds.idlePolicy, &parameters) == 0
                let raised =
                    lowered && pthread_setschedparam(pthread_self(), IdleRounds.normalPolicy, &parameters) == 0
                probe.result.withLock { $0 = raised }
                probe.done.signal()
                return nil
            }, context)
        guard created == 0 else {
            Unmanaged<Probe>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        probe.done.wait()
        return probe.result.withLock { $0 }
    }

    /// What the probe's thread found.
    private final class Probe: Sendable {
        let result = Mutex(false)
        let done = DispatchSemaphore(value: 0)
    }
}

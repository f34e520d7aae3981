import Foundation
import Synchronization
public import KalladCore
public import KalladStore
public import Logging
public import ServiceLifecycle

/// The configuration's side of the outbox, swapped as a whole on reload.
public struct OutboxRuntime: Sendable {
    /// The planner tick of the current configuration.
    public var tick: PlannerTick
    /// The dispatcher of the current configuration.
    public var dispatcher: Dispatcher

    /// Creates a runtime.
    public init(tick: PlannerTick, dispatcher: Dispatcher) {
        self.tick = tick
        self.dispatcher = dispatcher
    }
}

/// Whether the outbox can be written; the daemon's readiness and `STATUS=` show it.
public enum OutboxHealth: Hashable, Sendable {
    /// All well.
    case ok
    /// The store refused work (full disk, read-only, damaged): the reason, and when it was first seen.
    case failing(StoreError, since: Instant)
}

/// Runs the planner tick every minute, on the minute, and at once when the doorbell rings (a trigger arrived, the
/// configuration was reloaded); once a day it purges what is past the retention. A store error is reported and
/// retried at the next tick; nothing is lost, since the plan is worked out again each time.
public struct PlannerTickService: Service {
    let store: any OutboxStore
    let runtime: @Sendable () async -> OutboxRuntime?
    let doorbell: Doorbell
    let dispatcherBell: Doorbell
    let clock: @Sendable () -> Instant
    let logger: Logger
    let observe: @Sendable (Result<PlannerTick.Report, StoreError>, Duration) async -> Void
    let lookahead: Int64

    /// Creates the service. `dispatcherBell` is rung when a tick enqueued something due now.
    public init(
        store: any OutboxStore, runtime: @escaping @Sendable () async -> OutboxRuntime?, doorbell: Doorbell,
        dispatcherBell: Doorbell, clock: @escaping @Sendable () -> Instant, logger: Logger,
        lookahead: Int64 = 120,
        observe: @escaping @Sendable (Result<PlannerTick.Report, StoreError>, Duration) async -> Void = { _, _ in }
    ) {
        self.store = store
        self.runtime = runtime
        self.doorbell = doorbell
        self.dispatcherBell = dispatcherBell
        self.clock = clock
        self.logger = logger
        self.lookahead = lookahead
        self.observe = observe
    }

    /// How long a tick waits after a ring for more triggers of the same burst: at least `settle`, and
    /// `stormFactor` times as long as the last tick took — so under a storm of triggers the planner takes at most a
    /// thirty-third of a core and the rest goes to taking them (a tick's cost grows with the overlay the storm writes;
    /// at 8 it was still 7 % of a signed trigger's CPU, at 16 4–9 %). A tick of 20 ms then follows a storm's
    /// triggers within 0.7 s.
    static let settle: Duration = .milliseconds(100)
    static let stormFactor = 32

    /// The planner's own thread.
    static let plannerThread = PlannerThread()

    /// Runs `work` on the planner's thread and waits for it without holding a cooperative thread.
    static func onPlannerThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            plannerThread.run { continuation.resume(returning: work()) }
        }
    }

    public func run() async throws {
        var lastPurge: Instant?
        var lastTick: Duration = .zero
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let runtime = await runtime() {
                // Once a day: what finished longer ago than the retention goes, with its personal data.
                let now = clock()
                if lastPurge.map({ now.secondsSinceEpoch - $0.secondsSinceEpoch >= 86_400 }) ?? true {
                    let retention = runtime.tick.registry.settings.outbox.retention
                    // On the planner's thread, like the tick: it holds no cooperative thread the handlers need.
                    let purging = store
                    let purge = await Self.onPlannerThread { () -> PurgeCount? in
                        try? purging.purge(finishedBefore: now.adding(seconds: -retention))
                    }
                    if let purged = purge {
                        lastPurge = now
                        if purged.deliveries > 0 || purged.triggers > 0 {
                            logger.info(
                                "purged finished deliveries past the retention",
                                metadata: [
                                    "purge.deliveries": "\(purged.deliveries)",
                                    "purge.notifications": "\(purged.notifications)",
                                    "purge.triggers": "\(purged.triggers)",
                                ])
                        }
                    }
                }
                let started = ContinuousClock.now
                let bell = dispatcherBell
                let (store, tickTime, lookahead) = (store, clock(), lookahead)
                // The tick is synchronous work of tens of milliseconds (more with a long overlay): it runs on the
                // planner's own thread, so it never holds one of the few cooperative threads (one per core) the
                // HTTP handlers answer triggers on.
                let result = await Self.onPlannerThread { () -> Result<PlannerTick.Report, StoreError> in
                    do throws(StoreError) {
                        return .success(
                            try runtime.tick.run(
                                store: store, now: tickTime, lookahead: lookahead, enqueuedSome: { bell.ring() }))
                    } catch {
                        return .failure(error)
                    }
                }
                let elapsed = ContinuousClock.now - started
                lastTick = elapsed
                switch result {
                case .success(let report):
                    if report.enqueued > 0 || report.settled > 0 || report.escalated > 0 {
                        logger.info(
                            "planner tick",
                            metadata: [
                                "tick.enqueued": "\(report.enqueued)", "tick.settled": "\(report.settled)",
                                "tick.escalated": "\(report.escalated)", "tick.due": "\(report.due)",
                            ])
                        dispatcherBell.ring()
                    }
                    for problem in report.problems {
                        logger.error("cannot compose a notification", metadata: ["problem": "\(problem)"])
                    }
                case .failure(let error):
                    logger.error(
                        "planner tick failed", metadata: ["error.code": "\(error.code)", "error": "\(error)"])
                }
                await observe(result, elapsed)
            }
            // Sleep to the next whole minute, or until rung; a ring is followed by a short settle, so a burst of
            // triggers is planned in one tick rather than one tick each.
            let seconds = 60 - clock().secondsSinceEpoch % 60
            let doorbell = self.doorbell
            let rang = (try? await cancelWhenGracefulShutdown { await doorbell.wait(timeout: .seconds(seconds)) })
            if rang == true { try? await Task.sleep(for: max(Self.settle, lastTick * Self.stormFactor)) }
        }
    }
}

/// A thread of the planner's own, at a lower priority (nice 10) than the event loops and the commit thread that
/// answer triggers: a tick after a burst takes tens of milliseconds (more as the overlay grows), and at the same
/// priority it took one of the two cores from the triggers still arriving — answers waited behind it. At nice 10 the
/// kernel gives it about a tenth of a busy core, and all of an idle one. (A tick that writes holds the store's
/// writer meanwhile; it writes only when the plan changed, in short transactions.) Jobs run one at a time, in order.
final class PlannerThread: Sendable {
    static let niceness: Int32 = 10
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)
    private let started = Mutex(false)

    /// Queues `job`; the thread starts with the first.
    func run(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        let start = started.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        if start {
            // A bare pthread: Foundation's Thread brings in more than a megabyte of code pages of its own.
            var thread = pthread_t()
            let created = pthread_create(
                &thread, nil,
                { context in
                    guard let context else { return nil }
                    Unmanaged<PlannerThread>.fromOpaque(context).takeRetainedValue().loop()
                    return nil
                }, Unmanaged.passRetained(self).toOpaque())
            if created == 0 { pthread_detach(thread) }
        }
        waiting.signal()
    }

    private func loop() {
        // On Linux, PRIO_PROCESS with `who` 0 is the calling thread: only this thread is lowered.
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        #else
            _ = setpriority(PRIO_PROCESS, 0, Self.niceness)
        #endif
        while true {
            waiting.wait()
            let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            job?()
        }
    }
}

/// Sends what is due: on start it puts back what a crash left `sending`, then claims and sends in rounds, waking
/// at the next attempt time, every few seconds, or when rung. When the store refuses work (full disk, read-only)
/// it says so, stops claiming, and tries again with a growing pause; outcomes it could not record are kept and
/// recorded first once the store takes writes again. On graceful shutdown it finishes the round in flight.
public struct DispatcherService: Service {
    /// Deliveries claimed at a time; the next claim joins the wire once fewer than this are unanswered.
    public static let claimLimit = 200
    /// Claims in one round (`Dispatcher.dispatch`), each joining the running connections; the round ends sooner
    /// when it has run for `roundTime` or graceful shutdown begins. Between rounds the connection's queue runs dry
    /// and the next round claims before anything goes on the wire (a pause of several milliseconds), so a batch
    /// that comes due goes in as few rounds as that allows.
    public static let claimsPerRound = 50
    /// How long a round claims more before the service looks again at its configuration and at shutdown.
    public static let roundTime: Duration = .seconds(2)

    let store: any OutboxStore
    let runtime: @Sendable () async -> OutboxRuntime?
    let doorbell: Doorbell
    let clock: @Sendable () -> Instant
    let logger: Logger
    let observe: @Sendable (Result<Dispatcher.Report, StoreError>) async -> Void
    let health: @Sendable (OutboxHealth) async -> Void

    /// Creates the service.
    public init(
        store: any OutboxStore, runtime: @escaping @Sendable () async -> OutboxRuntime?, doorbell: Doorbell,
        clock: @escaping @Sendable () -> Instant, logger: Logger,
        observe: @escaping @Sendable (Result<Dispatcher.Report, StoreError>) async -> Void = { _ in },
        health: @escaping @Sendable (OutboxHealth) async -> Void = { _ in }
    ) {
        self.store = store
        self.runtime = runtime
        self.doorbell = doorbell
        self.clock = clock
        self.logger = logger
        self.observe = observe
        self.health = health
    }

    public func run() async throws {
        var failingSince: Instant?
        var pause: Int64 = 1
        var recovered = false
        // The deliveries of the next due time, read in the seconds before it.
        var readAhead: ReadAheadBatch?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do throws(StoreError) {
                if !recovered {
                    let count = try store.recoverInterrupted(now: clock())
                    if count > 0 {
                        logger.warning(
                            "deliveries interrupted by a crash are sent again",
                            metadata: ["deliveries": "\(count)"])
                    }
                    recovered = true
                }
                var busy = false
                if let runtime = await runtime() {
                    let report = try await runtime.dispatcher.dispatch(
                        store: store, now: clock, limit: Self.claimLimit, batches: Self.claimsPerRound,
                        within: Self.roundTime, readAhead: readAhead)
                    if readAhead?.count == 0 { readAhead = nil }
                    busy = report.claimed > 0
                    for problem in report.configurationErrors {
                        logger.error("delivery configuration error", metadata: ["problem": "\(problem)"])
                    }
                    await observe(.success(report))
                }
                if failingSince != nil {
                    logger.notice("the outbox takes writes again; carrying on")
                    failingSince = nil
                    pause = 1
                    await health(.ok)
                }
                if busy { continue }
                let next = (try? store.nextAttempt()).flatMap { $0 }
                let wait = max(1, min(5, (next?.secondsSinceEpoch ?? Int64.max) - clock().secondsSinceEpoch))
                // What falls due within this wait is read now (read-only, beside the writer), so at its due time
                // only the claims (one `UPDATE` each) and the sending remain.
                if let next, readAhead?.dueBy != next,
                    (1...wait).contains(next.secondsSinceEpoch - clock().secondsSinceEpoch)
                {
                    do {
                        readAhead = try await store.readAhead(dueBy: next)
                    } catch {
                        // Nothing is lost: the batch is claimed in due order at its due time, as without reading
                        // ahead.
                        readAhead = nil
                        logger.warning(
                            "could not read ahead the deliveries due next; they are claimed when due",
                            metadata: ["error.code": "\(error.code)", "error": "\(error)"])
                    }
                    if let count = readAhead?.count, count > 0 {
                        logger.debug(
                            "read ahead the deliveries due next",
                            metadata: ["deliveries": "\(count)", "due": "\(next)"])
                    }
                }
                let doorbell = self.doorbell
                _ = try? await cancelWhenGracefulShutdown { await doorbell.wait(timeout: .seconds(wait)) }
            } catch {
                if failingSince == nil {
                    failingSince = clock()
                    logger.critical(
                        "the outbox refuses writes; no deliveries are claimed until it takes them again",
                        metadata: ["error.code": "\(error.code)", "error": "\(error)"])
                }
                await health(.failing(error, since: failingSince ?? clock()))
                await observe(.failure(error))
                let doorbell = self.doorbell
                let seconds = pause
                _ = try? await cancelWhenGracefulShutdown { await doorbell.wait(timeout: .seconds(seconds)) }
                pause = min(pause * 2, 30)
            }
        }
    }
}

import CCurl
import Foundation
import Synchronization

/// One transfer as the engine sees it: it sets the options of a freshly reset easy handle and hears how the
/// transfer ended. Both calls come from the engine's thread, one at a time.
class CurlTransfer {
    /// Whether a handle that ran another transfer of the same engine keeps its options for this one (no
    /// `curl_easy_reset`); `configure` is then told the handle is not fresh and sets only what differs.
    var keepsOptions: Bool { false }

    /// Sets the options for this transfer on `handle`: every option when `fresh` (new or reset), else only those
    /// that differ from one transfer to the next.
    func configure(_ handle: UnsafeMutableRawPointer, fresh: Bool) {}

    /// The transfer ended: `code` is libcurl's result, nil when it was cancelled or never started. `handle` can be
    /// read with `curl_easy_getinfo` until this returns; it is nil when no handle could be made.
    func ended(_ handle: UnsafeMutableRawPointer?, code: CURLcode?) {}
}

/// A set of transfers the engine runs, at most `limit` at a time; the caller awaits `finished`.
///
/// `@unchecked Sendable`: the flags under "engine lock" are read and written only while holding the engine's lock;
/// everything else (the subclass's results included) is touched only on the engine's thread after `submit`, and
/// by the submitting task before `submit` (whose lock orders those writes before the engine's reads).
class CurlBatch: @unchecked Sendable {
    // Engine lock.
    var cancelRequested = false
    var submitted = false
    var done = false
    // Set before `submit`, resumed by the engine thread after `finished`.
    var continuation: CheckedContinuation<Void, Never>?
    // Engine thread.
    var running = 0
    var exhausted = false

    /// How many transfers of this batch may run at once.
    var limit: Int { 1 }

    /// The next transfer to start, or nil when every item has been started (or settled without a transfer).
    func next() -> CurlTransfer? { nil }

    /// Nothing of the batch runs any more and nothing is left (or it was cancelled): hand the results over.
    func finished(cancelled: Bool) {}
}

/// libcurl's multi interface on a thread of its own: transfers run on curl's loop (`epoll` and
/// `curl_multi_socket_action`, so only the transfers whose socket is ready run), never on Swift's cooperative pool.
/// Batches come in through a lock-protected queue and a wake-up eventfd; easy handles and connections are reused
/// from one transfer to the next.
///
/// The loop (and with it libcurl, which Kallad loads on first use: Sources/CCurl/loader.c) is made with the first
/// batch; its thread ends when the engine is released (closing its connections). A daemon that has sent nothing
/// has not loaded libcurl.
final class CurlEngine: Sendable {
    private let made = Mutex<CurlLoop?>(nil)

    /// Creates an engine; nothing of libcurl is touched and no thread runs until the first batch.
    init() {}

    deinit { made.withLock { $0 }?.stop() }

    private var loop: CurlLoop {
        made.withLock { made in
            if let loop = made { return loop }
            let loop = CurlLoop()
            made = loop
            return loop
        }
    }

    /// Runs `batch` and waits for it; cancelling the task cancels the batch: running transfers are removed, the
    /// rest never start, and `finished(cancelled: true)` is called.
    func run(_ batch: CurlBatch) async {
        let loop = self.loop
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                batch.continuation = continuation
                loop.submit(batch)
            }
        } onCancel: {
            loop.cancel(batch)
        }
    }
}

/// The loop behind a `CurlEngine`.
///
/// `@unchecked Sendable`: `incoming`, `cancelling`, `started`, `stopping` and the batches' lock flags are guarded by
/// `lock`; `active`, `running`, `spare`, the poller's contents and the event buffers are touched only on the loop's
/// thread (libcurl calls its socket, timer, open- and close-socket callbacks from `curl_multi_socket_action` there,
/// and from `curl_multi_cleanup` in `deinit`); `multi`, `poller` and `wakeup` are set once, and writing to the
/// eventfd is safe from any thread.
private final class CurlLoop: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer?
    /// The epoll set, what libcurl wants of each socket, and libcurl's next timeout (see poller.h).
    private let poller: UnsafeMutablePointer<kallad_poller>?
    private let wakeup: Int32
    private static let eventCapacity: Int32 = 64
    private let readySockets = UnsafeMutablePointer<Int32>.allocate(capacity: Int(eventCapacity))
    private let readyMasks = UnsafeMutablePointer<Int32>.allocate(capacity: Int(eventCapacity))
    private let lock = NSLock()
    private var incoming: [CurlBatch] = []
    private var cancelling: [CurlBatch] = []
    private var started = false
    private var stopping = false
    /// Batches submitted and not finished (by identity).
    private var active: [ObjectIdentifier: CurlBatch] = [:]
    /// Easy handles in the multi handle → their transfer and batch.
    private var running: [UnsafeMutableRawPointer: (transfer: CurlTransfer, batch: CurlBatch)] = [:]
    /// Easy handles kept for the next transfers.
    private var spare: [UnsafeMutableRawPointer] = []
    /// Each easy handle's socket (-1: none), kept by the socket callback through CURLOPT_PRIVATE.
    private var sockets: [UnsafeMutableRawPointer: UnsafeMutablePointer<Int32>] = [:]
    private static let spareLimit = 64

    init() {
        _ = Curl.initialised
        poller = kallad_poller_create()
        wakeup = poller.map { kallad_wakeup_create($0) } ?? -1
        multi = wakeup >= 0 ? curl_multi_init() : nil
        guard let multi, let poller else { return }
        kallad_poller_drive(poller, multi)
        // Webhooks and chat: many receivers, keep-alive, HTTP/2 multiplexing where offered. Be polite to one
        // receiver; more in flight wait inside libcurl for a free connection.
        kallad_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 64)
        kallad_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 256)
        kallad_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 256)
        kallad_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit {
        for handle in spare { curl_easy_cleanup(handle) }
        for slot in sockets.values { slot.deallocate() }
        // The kept connections close through the poller's close-socket callback: the poller goes last.
        if let multi { curl_multi_cleanup(multi) }
        if wakeup >= 0 { close(wakeup) }
        kallad_poller_destroy(poller)
        readySockets.deallocate()
        readyMasks.deallocate()
    }

    func submit(_ batch: CurlBatch) {
        let start = lock.withLock {
            batch.submitted = true
            incoming.append(batch)
            defer { started = true }
            return !started
        }
        if start {
            let thread = Thread { self.run() }
            thread.name = "kallad-curl"
            thread.start()
        } else {
            wake()
        }
    }

    private func wake() { if wakeup >= 0 { kallad_wakeup_signal(wakeup) } }

    func cancel(_ batch: CurlBatch) {
        let wake = lock.withLock {
            batch.cancelRequested = true
            guard batch.submitted, !batch.done else { return false }
            cancelling.append(batch)
            return true
        }
        if wake { self.wake() }
    }

    func stop() {
        let wake = lock.withLock {
            stopping = true
            return started
        }
        if wake { self.wake() }
    }

    private func run() {
        guard let multi, let poller else {
            // No multi handle: settle every batch as it comes, as failed.
            while true {
                let (batches, stop) = lock.withLock {
                    defer { incoming.removeAll() }
                    return (incoming, stopping)
                }
                for batch in batches { settleUnstartable(batch) }
                if stop { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        var stillRunning: Int32 = 0
        var left: Int32 = 0
        while true {
            let (batches, cancels, stop) = lock.withLock {
                defer {
                    incoming.removeAll(keepingCapacity: true)
                    cancelling.removeAll(keepingCapacity: true)
                }
                return (incoming, cancelling, stopping)
            }
            for batch in batches {
                if lock.withLock({ batch.cancelRequested }) {
                    finish(batch, cancelled: true)
                } else {
                    active[ObjectIdentifier(batch)] = batch
                    fill(batch)
                }
            }
            for batch in cancels where active[ObjectIdentifier(batch)] != nil { abort(batch) }
            if stop && active.isEmpty { break }

            let remaining = kallad_poller_timer_remaining(poller)
            if remaining == 0 {
                kallad_multi_timeout_action(multi, &stillRunning)
            } else {
                let timeout = remaining < 0 ? 1000 : min(remaining, 1000)
                let ready = kallad_poller_wait(poller, readySockets, readyMasks, Self.eventCapacity, timeout)
                for index in 0..<Int(ready) {
                    let socket = readySockets[index]
                    if socket == wakeup {
                        kallad_wakeup_drain(wakeup)
                    } else {
                        kallad_multi_socket_action(multi, socket, readyMasks[index], &stillRunning)
                    }
                }
            }
            // Sockets libcurl now wants to write to (a request to send): try them at
            // once rather than wait for EPOLLOUT; one that has no room stays marked and is waited on.
            let writers = kallad_poller_writers(poller, readySockets, Self.eventCapacity)
            for index in 0..<Int(writers) {
                kallad_multi_socket_action(multi, readySockets[index], CURL_CSELECT_OUT, &stillRunning)
            }
            while let message = curl_multi_info_read(multi, &left) {
                guard kallad_curl_msg_is_done(message) != 0, let handle = kallad_curl_msg_handle(message) else {
                    continue
                }
                complete(handle, code: kallad_curl_msg_result(message))
            }
        }
        // Stopping: the engine's owner is gone, so no batch is waiting; release whatever is left.
        for handle in running.keys {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            sockets.removeValue(forKey: handle)?.deallocate()
        }
        running.removeAll()
    }

    /// Starts transfers of `batch` up to its limit; finishes it when nothing runs and nothing is left.
    private func fill(_ batch: CurlBatch) {
        while !batch.exhausted, batch.running < batch.limit {
            guard let transfer = batch.next() else {
                batch.exhausted = true
                break
            }
            start(transfer, of: batch)
        }
        if batch.exhausted, batch.running == 0 { finish(batch, cancelled: false) }
    }

    /// Puts `transfer` on a spare (or new) easy handle into the multi handle; a transfer that cannot start ends at
    /// once with `CURLE_FAILED_INIT`.
    private func start(_ transfer: CurlTransfer, of batch: CurlBatch) {
        let reused = spare.popLast()
        guard let multi, let handle = reused ?? curl_easy_init() else {
            transfer.ended(nil, code: CURLE_FAILED_INIT)
            return
        }
        let fresh = reused == nil || !transfer.keepsOptions
        if reused != nil, fresh { curl_easy_reset(handle) }
        transfer.configure(handle, fresh: fresh)
        if fresh {
            let slot = sockets[handle] ?? UnsafeMutablePointer<Int32>.allocate(capacity: 1)
            slot.pointee = -1
            sockets[handle] = slot
            kallad_curl_setopt_pointer(handle, CURLOPT_PRIVATE, slot)
            if let poller { kallad_poller_use(poller, handle) }
        }
        guard curl_multi_add_handle(multi, handle) == CURLM_OK else {
            transfer.ended(handle, code: CURLE_FAILED_INIT)
            recycle(handle)
            return
        }
        running[handle] = (transfer, batch)
        batch.running += 1
    }

    private func complete(_ handle: UnsafeMutableRawPointer, code: CURLcode) {
        guard let (transfer, batch) = running.removeValue(forKey: handle) else { return }
        curl_multi_remove_handle(multi, handle)
        batch.running -= 1
        transfer.ended(handle, code: code)
        recycle(handle)
        fill(batch)
    }

    private func abort(_ batch: CurlBatch) {
        for (handle, entry) in running where entry.batch === batch {
            running[handle] = nil
            curl_multi_remove_handle(multi, handle)
            entry.transfer.ended(handle, code: nil)
            recycle(handle)
        }
        batch.running = 0
        batch.exhausted = true
        finish(batch, cancelled: true)
    }

    private func recycle(_ handle: UnsafeMutableRawPointer) {
        if spare.count < Self.spareLimit {
            spare.append(handle)
        } else {
            curl_easy_cleanup(handle)
            sockets.removeValue(forKey: handle)?.deallocate()
        }
    }

    private func finish(_ batch: CurlBatch, cancelled: Bool) {
        lock.withLock { batch.done = true }
        active[ObjectIdentifier(batch)] = nil
        batch.finished(cancelled: cancelled)
        batch.continuation?.resume()
        batch.continuation = nil
    }

    private func settleUnstartable(_ batch: CurlBatch) {
        while let transfer = batch.next() { transfer.ended(nil, code: CURLE_FAILED_INIT) }
        lock.withLock { batch.done = true }
        batch.finished(cancelled: false)
        batch.continuation?.resume()
        batch.continuation = nil
    }
}

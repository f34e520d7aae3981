import Foundation

/// The mails an `SMTPTransport.send` works through, and their results. A queue made from a list is complete from the
/// start; an open one grows while its connections run (`append`) until `finish`, so a caller can hand over mail as it
/// comes (the outbox claims the next batch while the wire carries this one) without the connections stopping in
/// between. A connection that finds the queue empty but open waits for more.
///
/// `@unchecked Sendable`: every stored property is touched only while holding `condition`.
public final class MailQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var mails: [OutgoingMail]
    private var outcomes: [MailResult?]
    private var nextIndex = 0
    private var finished: Bool
    private var cancelled = false
    /// An open queue lets go of each message it hands out; a list given whole is the caller's too (its messages
    /// stay alive with the caller, and letting go would only copy the list).
    private let releasesSent: Bool

    /// A queue of `mails`; `open` lets it grow through `append` until `finish` (a closed queue is complete as
    /// given).
    public init(_ mails: [OutgoingMail] = [], open: Bool = false) {
        self.mails = mails
        outcomes = Array(repeating: nil, count: mails.count)
        finished = !open
        releasesSent = open
    }

    /// Adds mails at the end; returns the position of the first (positions are what `onResult` reports). Mails added
    /// after `finish` are not sent: they come back `cancelled`.
    @discardableResult
    public func append(_ more: [OutgoingMail]) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let first = mails.count
        mails += more
        outcomes += Array(repeating: nil, count: more.count)
        condition.broadcast()
        return first
    }

    /// No more mail will come: connections end once they have sent what is queued.
    public func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// How many mails have not been answered yet.
    var unsent: Int {
        condition.lock()
        defer { condition.unlock() }
        return outcomes.count(where: { $0 == nil })
    }

    /// Whether more mail may still come.
    var isOpen: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !finished && !cancelled
    }

    /// The next mail to send with its position, waiting while the queue is empty but open; nil once the queue is
    /// finished and every mail handed out, or cancelled. An open queue lets go of the message it hands out (it keeps
    /// the envelope for `results`), so a long open queue holds only the messages not yet sent.
    func next() -> (index: Int, mail: OutgoingMail)? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled {
            if nextIndex < mails.count {
                let mail = mails[nextIndex]
                if releasesSent { mails[nextIndex].messageBytes = [] }
                nextIndex += 1
                return (nextIndex - 1, mail)
            }
            if finished { return nil }
            condition.wait()
        }
        return nil
    }

    /// Stops handing out mail and wakes every connection waiting for more.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stores the result of the mail at `index`.
    func record(_ result: MailResult, at index: Int) {
        condition.lock()
        outcomes[index] = result
        condition.unlock()
    }

    /// Every mail's result, in order; mails never answered are `cancelled` for each recipient. Read after every
    /// connection finished.
    var results: [MailResult] {
        condition.lock()
        defer { condition.unlock() }
        return zip(mails, outcomes).map { mail, result in
            result ?? MailResult(recipients: SMTPBatch.all(mail.recipients, .cancelled), seconds: 0)
        }
    }
}

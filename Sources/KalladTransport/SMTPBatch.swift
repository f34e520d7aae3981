import CCurl
import Foundation
import KalladCore

/// The mails of one `SMTPTransport.send` and their results. Each of its connections runs on a thread of its own
/// (`SMTPConnectionRun`); the threads take mails and record results, so both go through `lock`.
///
/// `@unchecked Sendable`: `mails`, `settings`, `url`, `connections` and `cancelSignal` are set once; `outcomes`,
/// `nextIndex` and `cancelled` are touched only while holding `lock` (and read by `results` after every thread
/// finished).
final class SMTPBatch: @unchecked Sendable {
    let mails: [OutgoingMail]
    let settings: SMTPSettings
    /// `smtp://host:port/EHLO-NAME`: libcurl takes the EHLO name from the URL's path.
    let url: String
    let connections: Int
    /// An eventfd every session of the batch polls: signalled once, when the batch is cancelled (-1: none could be
    /// made; cancelling then stops the batch between mails only).
    let cancelSignal: Int32
    private let lock = NSLock()
    private var outcomes: [MailResult?]
    private var nextIndex = 0
    private var cancelled = false
    /// Told each mail's result on the thread that ran it, before that connection starts another mail.
    private let onResult: (@Sendable (Int, MailResult) -> Void)?

    init(
        mails: [OutgoingMail], settings: SMTPSettings, connections: Int,
        onResult: (@Sendable (Int, MailResult) -> Void)? = nil
    ) {
        self.mails = mails
        self.settings = settings
        self.connections = max(1, connections)
        self.onResult = onResult
        let base = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        url = "\(base)/\(settings.heloName)"
        cancelSignal = kallad_cancel_create()
        outcomes = Array(repeating: nil, count: mails.count)
    }

    /// The result of a mail whose sender or a recipient is not a plain `local@domain` address (CR, LF, NUL, spaces,
    /// angle brackets), which never goes into a command (the commands are written by Kallad); nil for a mail that
    /// may go. Checked by the connection's thread as it takes the mail, so a new batch is on the wire at once.
    static func refusal(of mail: OutgoingMail) -> MailResult? {
        for address in [mail.from] + mail.recipients {
            guard let problem = EmailAddress.problem(address) else { continue }
            let outcome = DeliveryOutcome.permanent(nil, reason: "address \(address.debugDescription) \(problem)")
            return MailResult(recipients: all(mail.recipients, outcome), seconds: 0)
        }
        return nil
    }

    deinit { if cancelSignal >= 0 { close(cancelSignal) } }

    /// The same outcome for each recipient.
    static func all(_ recipients: [String], _ outcome: DeliveryOutcome) -> [String: DeliveryOutcome] {
        Dictionary(recipients.map { ($0, outcome) }, uniquingKeysWith: { first, _ in first })
    }

    /// How many mails are left to send.
    var unsent: Int { lock.withLock { outcomes.count(where: { $0 == nil }) } }

    /// Every mail's result, in order; mails never answered are `cancelled` for each recipient. Read after every
    /// thread finished.
    var results: [MailResult] {
        lock.withLock {
            zip(mails, outcomes).map { mail, result in
                result ?? MailResult(recipients: Self.all(mail.recipients, .cancelled), seconds: 0)
            }
        }
    }

    /// The index of the next mail to send, or nil when every mail has been handed out or the batch was cancelled.
    func next() -> Int? {
        lock.withLock {
            while !cancelled, nextIndex < mails.count {
                let index = nextIndex
                nextIndex += 1
                if outcomes[index] == nil { return index }
            }
            return nil
        }
    }

    /// Stops the batch: no further mail is handed out, and every session waiting on the wire gives up at once.
    func cancel() {
        lock.withLock { cancelled = true }
        if cancelSignal >= 0 { kallad_cancel_signal(cancelSignal) }
    }

    /// Stores a mail's result and tells `onResult`: called once per mail, on the thread that ran it, before that
    /// connection starts its next mail.
    func record(_ result: MailResult, at index: Int) {
        lock.withLock { outcomes[index] = result }
        onResult?(index, result)
    }
}

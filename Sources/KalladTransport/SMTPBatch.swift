import CCurl
import Foundation
import KalladCore

/// One `SMTPTransport.send`: its queue of mails, the settings, and what its connections share. Each connection runs
/// on a thread of its own (`SMTPConnectionRun`), taking mails from the queue and recording results.
///
/// `@unchecked Sendable`: every property is set once (the queue guards itself).
final class SMTPBatch: @unchecked Sendable {
    let queue: MailQueue
    let settings: SMTPSettings
    /// `smtp://host:port/EHLO-NAME`: libcurl takes the EHLO name from the URL's path.
    let url: String
    let connections: Int
    /// An eventfd every session of the batch polls: signalled once, when the batch is cancelled (-1: none could be
    /// made; cancelling then stops the batch between mails only).
    let cancelSignal: Int32
    /// Told each mail's result on the thread that ran it, before that connection starts another mail.
    private let onResult: (@Sendable (Int, MailResult) -> Void)?

    init(
        queue: MailQueue, settings: SMTPSettings, connections: Int,
        onResult: (@Sendable (Int, MailResult) -> Void)? = nil
    ) {
        self.queue = queue
        self.settings = settings
        self.connections = max(1, connections)
        self.onResult = onResult
        let base = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        url = "\(base)/\(settings.heloName)"
        cancelSignal = kallad_cancel_create()
    }

    /// The result of a mail whose sender or a recipient is not a plain `local@domain` address (CR, LF, NUL, spaces,
    /// angle brackets), which never goes into a command (the commands are written by Kallad); nil for a mail that
    /// may go. Checked by the connection's thread as it takes the mail, so a new batch is on the wire at once.
    static func refusal(of mail: OutgoingMail) -> MailResult? {
        func refused(_ address: String) -> MailResult? {
            guard let problem = EmailAddress.problem(address) else { return nil }
            let outcome = DeliveryOutcome.permanent(nil, reason: "address \(address.debugDescription) \(problem)")
            return MailResult(recipients: all(mail.recipients, outcome), seconds: 0)
        }
        // The sender, then each recipient, without gathering them in an array for every mail.
        if let refusal = refused(mail.from) { return refusal }
        for address in mail.recipients {
            if let refusal = refused(address) { return refusal }
        }
        return nil
    }

    deinit { if cancelSignal >= 0 { close(cancelSignal) } }

    /// The same outcome for each recipient.
    static func all(_ recipients: [String], _ outcome: DeliveryOutcome) -> [String: DeliveryOutcome] {
        Dictionary(recipients.map { ($0, outcome) }, uniquingKeysWith: { first, _ in first })
    }

    /// The next mail to send (see `MailQueue.next`).
    func next() -> (index: Int, mail: OutgoingMail)? { queue.next() }

    /// Stops the batch: no further mail is handed out, and every session waiting on the wire gives up at once.
    func cancel() {
        queue.cancel()
        if cancelSignal >= 0 { kallad_cancel_signal(cancelSignal) }
    }

    /// Stores a mail's result and tells `onResult`: called once per mail, on the thread that ran it, before that
    /// connection starts its next mail.
    func record(_ result: MailResult, at index: Int) {
        queue.record(result, at: index)
        onResult?(index, result)
    }
}

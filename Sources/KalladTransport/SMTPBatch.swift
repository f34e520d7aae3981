import CCurl
import Foundation
import KalladCore

/// The mails of one `SMTPTransport.send` and their results. Its lanes hand the mails out, each lane on an engine of
/// its own; several engines' threads take mails and record results, so both go through `lock`.
///
/// `@unchecked Sendable`: `mails`, `settings`, `url` and `connections` are set once; `outcomes` and `nextIndex` are
/// touched only while holding `lock` (and read by `results` after every lane finished).
final class SMTPBatch: @unchecked Sendable {
    let mails: [OutgoingMail]
    let settings: SMTPSettings
    /// `smtp://host:port/EHLO-NAME`: libcurl takes the EHLO name from the URL's path.
    let url: String
    let connections: Int
    private let lock = NSLock()
    private var outcomes: [MailResult?]
    private var nextIndex = 0
    /// Told each mail's result on the engine's thread that ran it, before that connection starts another mail.
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
        outcomes = Array(repeating: nil, count: mails.count)
        // Refuse CR, LF and NUL before libcurl sees an address (7.88 passes them to the server). Checked here, on
        // the caller's task, so the engine's thread spends its time on the wire.
        for (index, mail) in mails.enumerated() {
            for address in [mail.from] + mail.recipients {
                guard let problem = EmailAddress.problem(address) else { continue }
                let outcome = DeliveryOutcome.permanent(nil, reason: "address \(address.debugDescription) \(problem)")
                let result = MailResult(recipients: SMTPTransfer.all(mail.recipients, outcome), seconds: 0)
                outcomes[index] = result
                onResult?(index, result)
                break
            }
        }
    }

    /// Every mail's result, in order; mails never answered are `cancelled` for each recipient. Read after every
    /// lane finished.
    var results: [MailResult] {
        lock.withLock {
            zip(mails, outcomes).map { mail, result in
                result ?? MailResult(recipients: SMTPTransfer.all(mail.recipients, .cancelled), seconds: 0)
            }
        }
    }

    /// The connections split into `count` lanes (at most one per connection), each at most one connection more
    /// than another; the same numbers give the same split, so a transport's next batch finds each lane's
    /// connections where the last one left them.
    func lanes(_ count: Int) -> [SMTPLane] {
        let lanes = max(1, min(count, connections))
        return (0..<lanes).map { lane in
            SMTPLane(batch: self, connections: connections / lanes + (lane < connections % lanes ? 1 : 0))
        }
    }

    /// The next mail to send (its transfer), or nil when every mail has been handed out.
    func next() -> SMTPTransfer? {
        let index: Int? = lock.withLock {
            while nextIndex < mails.count {
                let index = nextIndex
                nextIndex += 1
                if outcomes[index] == nil { return index }
            }
            return nil
        }
        return index.map { SMTPTransfer(batch: self, index: $0) }
    }

    /// Stores a mail's result and tells `onResult`: called once per mail, on the engine's thread that ran it, before
    /// that connection starts its next mail.
    func record(_ result: MailResult, at index: Int) {
        lock.withLock { outcomes[index] = result }
        onResult?(index, result)
    }
}

/// The share of an `SMTPBatch` one engine runs: up to `connections` of its mails at a time, taken from the batch as
/// connections come free.
final class SMTPLane: CurlBatch, @unchecked Sendable {
    let batch: SMTPBatch
    private let connections: Int

    init(batch: SMTPBatch, connections: Int) {
        self.batch = batch
        self.connections = max(1, connections)
    }

    override var limit: Int { connections }

    override func next() -> CurlTransfer? { batch.next() }
}

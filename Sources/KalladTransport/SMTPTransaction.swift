import CCurl
import Foundation

/// What became of one mail transaction on a session.
struct SMTPTransaction {
    /// Recipient address → outcome.
    var recipients: [String: DeliveryOutcome]
    /// The session can carry the next mail (false: it broke, timed out, was cancelled, or the server said 421).
    var keep: Bool
    /// The server answered something of this mail. A kept session that fails before any answer was most likely
    /// closed by the server while idle: the mail may go again on a fresh connection.
    var answered: Bool
}

extension SMTPSession {
    /// Sends one mail: with PIPELINING (RFC 2920), MAIL FROM, every RCPT TO and DATA in one write and the
    /// dot-stuffed message with its final dot in another; without it, one command per round trip. Each RCPT's reply
    /// is the outcome of its recipient when it refuses; the reply to DATA or to the final dot is the outcome of the
    /// recipients accepted.
    func deliver(_ mail: OutgoingMail, cancel: Int32, deadline: Int64) -> SMTPTransaction {
        let recipients = mail.recipients
        var outcomes: [String: DeliveryOutcome] = [:]
        outcomes.reserveCapacity(recipients.count)
        var answered = false
        let pipelined = pipelining
        // The commands, back to back, and where each ends.
        var commands: [UInt8] = []
        var ends: [Int] = []
        commands.reserveCapacity(64 + 48 * recipients.count)
        ends.reserveCapacity(recipients.count + 3)
        func add(_ command: String) {
            commands.append(contentsOf: command.utf8)
            ends.append(commands.count)
        }
        let resetting = needsReset
        if resetting { add("RSET\r\n") }
        // The addresses are printable ASCII without spaces or angle brackets (`EmailAddress`, checked by the batch):
        // no SMTPUTF8, and nothing in them can end a command early.
        let size = advertisesSize ? " SIZE=\(mail.messageBytes.count)" : ""
        add("MAIL FROM:<\(mail.from)>\(size)\r\n")
        for address in recipients { add("RCPT TO:<\(address)>\r\n") }
        add("DATA\r\n")

        var step = 0
        /// The reply to the next command (sent first when the commands are not pipelined).
        func reply() throws(Break) -> Int {
            if !pipelined {
                try send(commands[(step == 0 ? 0 : ends[step - 1])..<ends[step]], cancel: cancel, deadline: deadline)
            }
            step += 1
            let code = try readReply(cancel: cancel, deadline: deadline)
            answered = true
            return code
        }
        /// Ends a message that DATA opened although nobody is to receive it.
        func endEmpty() throws(Break) {
            try send(Self.emptyMessage[...], cancel: cancel, deadline: deadline)
            _ = try readReply(cancel: cancel, deadline: deadline)
        }
        var keep = true
        do throws(Break) {
            if pipelined { try send(commands[...], cancel: cancel, deadline: deadline) }
            if resetting, try reply() == 421 {
                // The server gave up on the session while it was kept: nothing of this mail was said yet.
                answered = false
                throw Break(code: Int32(CURLE_GOT_NOTHING.rawValue))
            }
            needsReset = false
            let mailCode = try reply()
            if !(200..<300).contains(mailCode) {
                let outcome = Self.outcome(lastReply)
                needsReset = true
                keep = Self.keeps(mailCode)
                if pipelined, keep {
                    for _ in recipients { _ = try reply() }
                    if try reply() == 354 { try endEmpty() }
                }
                for address in recipients where outcomes[address] == nil { outcomes[address] = outcome }
                return SMTPTransaction(recipients: outcomes, keep: keep, answered: answered)
            }
            var accepted = 0
            for address in recipients {
                let code = try reply()
                if !Self.keeps(code) { keep = false }
                if (200..<300).contains(code) {
                    accepted += 1
                } else if outcomes[address] == nil {
                    outcomes[address] = Self.outcome(lastReply)
                }
            }
            if !keep {
                let outcome = Self.outcome(lastReply)
                for address in recipients where outcomes[address] == nil { outcomes[address] = outcome }
                return SMTPTransaction(recipients: outcomes, keep: false, answered: true)
            }
            if accepted == 0, !pipelined {
                needsReset = true
                return SMTPTransaction(recipients: outcomes, keep: true, answered: true)
            }
            let dataCode = try reply()
            if dataCode != 354 {
                needsReset = true
                // Anything but 354 means the message was not taken (a 250 here would be a server's mistake).
                let outcome =
                    (400..<600).contains(dataCode)
                    ? DeliveryOutcome.smtp(lastReply)
                    : .transient(lastReply, reason: "unexpected reply", retryAfter: nil)
                for address in recipients where outcomes[address] == nil { outcomes[address] = outcome }
                return SMTPTransaction(recipients: outcomes, keep: Self.keeps(dataCode), answered: true)
            }
            if accepted == 0 {
                try endEmpty()
                needsReset = true
                return SMTPTransaction(recipients: outcomes, keep: true, answered: true)
            }
            try send(Self.wire(mail.messageBytes)[...], cancel: cancel, deadline: deadline)
            let finalCode = try readReply(cancel: cancel, deadline: deadline)
            let outcome = Self.outcome(lastReply)
            for address in recipients where outcomes[address] == nil { outcomes[address] = outcome }
            return SMTPTransaction(recipients: outcomes, keep: Self.keeps(finalCode), answered: true)
        } catch {
            let outcome = Self.breakOutcome(error)
            for address in recipients where outcomes[address] == nil { outcomes[address] = outcome }
            return SMTPTransaction(recipients: outcomes, keep: false, answered: answered)
        }
    }

    /// What a reply to MAIL, RCPT or the final dot means for the recipients it is about: the server's word when it
    /// is 2xx, 4xx or 5xx; anything else is not a reply the step allows.
    static func outcome(_ reply: ServerReply) -> DeliveryOutcome {
        (200..<300).contains(reply.code) || (400..<600).contains(reply.code)
            ? .smtp(reply) : .transient(reply, reason: "unexpected reply", retryAfter: nil)
    }

    /// Whether the session can go on after a reply with `code`: not after 421 (the server is closing it) nor after
    /// something that is no reply at all.
    static func keeps(_ code: Int) -> Bool { (200..<600).contains(code) && code != 421 }

    /// A message with nothing in it: the final dot alone.
    static let emptyMessage: [UInt8] = Array(".\r\n".utf8)

    /// The message as it goes after DATA: a line that begins with "." gets another "." (RFC 5321 4.5.2; the server
    /// takes it off), a line end is added if the message lacks one, then the final "." line.
    static func wire(_ message: String) -> [UInt8] { wire(Array(message.utf8)) }

    /// `wire` of a message's bytes.
    static func wire(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBufferPointer { bytes in
            var wire: [UInt8] = []
            wire.reserveCapacity(bytes.count + 16)
            var start = 0
            while start < bytes.count {
                if bytes[start] == 46 { wire.append(46) }
                let end = bytes[start...].firstIndex(of: 10).map { $0 + 1 } ?? bytes.count
                wire.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
            if !(wire.count >= 2 && wire[wire.count - 2] == 13 && wire[wire.count - 1] == 10) {
                wire.append(contentsOf: [13, 10])
            }
            wire.append(contentsOf: [46, 13, 10])
            return wire
        }
    }
}

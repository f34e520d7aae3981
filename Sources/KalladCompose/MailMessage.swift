import Foundation
import KalladCore

/// A whole RFC 5322 message: `multipart/mixed` holding `multipart/alternative` (text, HTML and, for meetings, a
/// `text/calendar` part with the iTIP method) and the `.ics` as an attachment. CRLF line ends throughout; bodies
/// in base64, so no line is too long and no byte is mangled; headers RFC 2047-encoded where not ASCII.
public struct MailMessage: Sendable {
    /// A display name and an address.
    public struct Mailbox: Hashable, Sendable {
        /// Display name.
        public var name: String
        /// Address.
        public var address: String

        /// Creates a mailbox.
        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    /// From: the convener, or the service address.
    public var from: Mailbox
    /// Sender, when From is not the service address (RFC 5322 §3.6.2).
    public var sender: Mailbox?
    /// Reply-To.
    public var replyTo: Mailbox?
    /// To.
    public var to: [Mailbox]
    /// Subject.
    public var subject: String
    /// Date.
    public var date: Instant
    /// The zone for the Date header's offset.
    public var zone: ZoneRules
    /// Message-ID without angle brackets.
    public var messageID: String
    /// The plain-text body.
    public var text: String
    /// The HTML body, if any.
    public var html: String?
    /// The calendar object and its method, if any.
    public var calendar: (method: String, content: String)?
    /// Extra headers (e.g. `X-Kallad-Key`), checked like the others.
    public var extraHeaders: [(String, String)]

    /// Creates a message.
    public init(
        from: Mailbox, sender: Mailbox? = nil, replyTo: Mailbox? = nil, to: [Mailbox], subject: String, date: Instant,
        zone: ZoneRules, messageID: String, text: String, html: String? = nil,
        calendar: (method: String, content: String)? = nil, extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.subject = subject
        self.date = date
        self.zone = zone
        self.messageID = messageID
        self.text = text
        self.html = html
        self.calendar = calendar
        self.extraHeaders = extraHeaders
    }

    /// The message bytes, or why they cannot be made (an injection attempt, a bad address).
    public func render() throws(ComposeError) -> String {
        guard !to.isEmpty else {
            throw ComposeError(code: "compose.no_recipients", message: "the message has no recipients", field: "To")
        }
        try MailHeader.checkValue(subject, field: "Subject")
        try MailHeader.checkValue(messageID, field: "Message-ID")
        guard !messageID.contains(where: { "<> ".contains($0) }) else {
            throw ComposeError(code: "compose.bad_message_id", message: "no <, > or space allowed", field: "Message-ID")
        }
        var headers: [String] = []
        headers.append("From: " + (try MailHeader.mailbox(name: from.name, address: from.address, field: "From")))
        if let sender {
            headers.append(
                "Sender: "
                    + (try MailHeader.mailbox(
                        name: sender.name, address: sender.address,
                        field: "Sender")))
        }
        if let replyTo {
            headers.append(
                "Reply-To: "
                    + (try MailHeader.mailbox(
                        name: replyTo.name, address: replyTo.address,
                        field: "Reply-To")))
        }
        var mailboxes: [String] = []
        for mailbox in to {
            mailboxes.append(try MailHeader.mailbox(name: mailbox.name, address: mailbox.address, field: "To"))
        }
        headers.append("To: " + mailboxes.joined(separator: ",\r\n "))
        headers.append("Subject: " + MailHeader.encodedWords(subject))
        headers.append("Date: " + MailHeader.date(date, zone: zone))
        headers.append("Message-ID: <\(messageID)>")
        for (name, value) in extraHeaders {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != 58 }) else {
                throw ComposeError(
                    code: "compose.bad_header_name", message: "'\(name)' is not a header name",
                    field: name)
            }
            try MailHeader.checkValue(value, field: name)
            headers.append("\(name): \(MailHeader.encodedWords(value))")
        }
        headers.append("MIME-Version: 1.0")

        let mixed = "kallad-mixed-" + MailHeader.stableHash(messageID)
        let alternative = "kallad-alt-" + MailHeader.stableHash(messageID + "/alt")
        var body = ""
        func part(_ contentType: String, _ content: String, disposition: String? = nil) -> String {
            var text = "Content-Type: \(contentType)\r\nContent-Transfer-Encoding: base64\r\n"
            if let disposition { text += "Content-Disposition: \(disposition)\r\n" }
            return text + "\r\n" + Self.base64Lines(content)
        }
        var alternatives = [part("text/plain; charset=utf-8", text)]
        if let html { alternatives.append(part("text/html; charset=utf-8", html)) }
        if let calendar {
            alternatives.append(part("text/calendar; charset=utf-8; method=\(calendar.method)", calendar.content))
        }
        if calendar == nil && html == nil {
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: base64")
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + Self.base64Lines(text)
        }
        headers.append("Content-Type: multipart/mixed; boundary=\"\(mixed)\"")
        body += "This is a MIME message.\r\n"
        body += "--\(mixed)\r\nContent-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n"
        for alternativePart in alternatives { body += "--\(alternative)\r\n" + alternativePart }
        body += "--\(alternative)--\r\n"
        if let calendar {
            body +=
                "--\(mixed)\r\n"
                + part(
                    "application/ics; name=\"invite.ics\"", calendar.content,
                    disposition: "attachment; filename=\"invite.ics\"")
        }
        body += "--\(mixed)--\r\n"
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Base64 in lines of 76 characters, each ending CRLF.
    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var out = ""
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            out += encoded[index..<end] + "\r\n"
            index = end
        }
        return out
    }
}

import Foundation
import KalladCore
import Testing

@testable import KalladCompose

@Suite("Headers: injection refused, words encoded, lines folded")
struct MailHeaderTests {
    @Test(
        "CR, LF and NUL in any header value or address are refused",
        arguments: [
            "Ärende\r\nBcc: x@example.se", "a\nb", "nul\u{0}", "tab\u{1}",
        ])
    func injection(value: String) {
        #expect(throws: ComposeError.self) { try MailHeader.checkValue(value, field: "Subject") }
        #expect(throws: ComposeError.self) {
            try MailHeader.mailbox(name: value, address: "a@example.se", field: "To")
        }
        #expect(throws: ComposeError.self) {
            try MailHeader.mailbox(name: "A", address: "a@example.se>\r\nRCPT TO:<\(value)@x.se", field: "To")
        }
    }

    @Test("encoded words stay within 75 characters and never split a character")
    func encodedWords() {
        let text = String(repeating: "åäö€😀", count: 40)
        let encoded = MailHeader.encodedWords(text)
        for word in encoded.components(separatedBy: "\r\n ") {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
        }
        #expect(MailHeader.encodedWords("Plain ASCII") == "Plain ASCII")
    }

    @Test("content lines fold at 75 octets without splitting UTF-8")
    func folding() {
        let line = "DESCRIPTION:" + String(repeating: "å", count: 100)
        let folded = ContentLines.fold(line)
        for physical in folded.components(separatedBy: "\r\n").dropLast() {
            #expect(physical.utf8.count <= 75)
        }
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line + "\r\n")
    }

    @Test("RFC 5322 dates carry the local offset")
    func dates() {
        let winter = ZoneRules.stockholm.instant(
            of: LocalDateTime(
                LocalDate(year: 2026, month: 11, day: 23)!,
                LocalTime(hour: 8, minute: 0)!))
        #expect(MailHeader.date(winter, zone: .stockholm) == "Mon, 23 Nov 2026 08:00:00 +0100")
        #expect(
            MailHeader.date(winter.adding(seconds: 86_400 * 200), zone: .stockholm)
                == "Fri, 11 Jun 2027 09:00:00 +0200")
    }
}

import Testing

@testable import KalladCore

@Suite("E-mail addresses: what goes into an envelope or a header")
struct EmailAddressTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let address: String
        let problem: String?
        var testDescription: String { address.debugDescription }
    }

    static let lineBreak = "contains a line break or NUL, which could inject mail headers"
    static let noDomain = "has no valid domain (e.g. example.se)"
    static let notLocalAtDomain = "is not of the form local@domain"
    static let badCharacter = "has a space, a non-ASCII character or one of <>()[]\\,;:\""

    static let cases: [Case] = [
        Case(address: "anna.berg@region.example.se", problem: nil),
        Case(address: "a@b.c", problem: nil),
        Case(address: "x-y@sub-domain.example.se", problem: nil),
        Case(address: "anna@example.se\r\nBcc: eve@example.se", problem: lineBreak),
        Case(address: "a\u{0}b@example.se", problem: lineBreak),
        Case(address: String(repeating: "a", count: 250) + "@x.se", problem: "is longer than 254 characters"),
        Case(address: "anna berg@example.se", problem: badCharacter),
        Case(address: "åsa@example.se", problem: badCharacter),
        Case(address: "<anna@example.se>", problem: badCharacter),
        Case(address: "anna;eve@example.se", problem: badCharacter),
        Case(address: "anna.example.se", problem: notLocalAtDomain),
        Case(address: "@example.se", problem: notLocalAtDomain),
        Case(address: "a@b@example.se", problem: notLocalAtDomain),
        Case(address: String(repeating: "a", count: 65) + "@example.se", problem: notLocalAtDomain),
        Case(address: String(repeating: "a", count: 64) + "@example.se", problem: nil),
        Case(address: "anna@", problem: noDomain),
        Case(address: "anna@localhost", problem: noDomain),
        Case(address: "anna@example.", problem: noDomain),
        Case(address: "anna@.example.se", problem: noDomain),
        Case(address: "anna@example..se", problem: noDomain),
        Case(address: "anna@-example.se", problem: noDomain),
        Case(address: "anna@example-.se", problem: noDomain),
        Case(address: "anna@" + String(repeating: "d", count: 64) + ".se", problem: noDomain),
        Case(address: "anna@" + String(repeating: "d", count: 63) + ".se", problem: nil),
    ]

    @Test("the first problem of an address, or none", arguments: cases)
    func problem(_ example: Case) {
        #expect(EmailAddress.problem(example.address) == example.problem)
    }
}

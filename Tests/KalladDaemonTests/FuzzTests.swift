import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KalladCore
import Testing

@testable import KalladDaemon

/// Generated and mutated inputs: none may crash the parser or the endpoint, and the endpoint answers every one
/// with a status it documents.
@Suite("Fuzzing the trigger parser and endpoint")
struct FuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [String] = [
        Fixture.agendaItem(),
        Fixture.trigger("meeting.cancelled", "{\"meeting\":\"\(Fixture.meeting)\",\"reason\":\"r\"}"),
        Fixture.trigger(
            "meeting.moved", "{\"meeting\":\"\(Fixture.meeting)\",\"start\":\"2027-02-18T13:00\",\"end\":\"15:00\"}"),
        Fixture.trigger(
            "meeting.requested",
            "{\"body\":\"norrbotten-lsg\",\"date\":\"2027-01-20\",\"start\":\"09:00\","
                + "\"requested_by\":\"region-norrbotten\",\"reason\":\"r\"}"),
        Fixture.trigger(
            "deviation.reported", "{\"title\":\"t\",\"body\":\"jonkoping-natverk-trepart\",\"reported_by\":\"x\"}"),
        Fixture.trigger("summons.send_now", "{\"meeting\":\"\(Fixture.meeting)\"}"),
    ]

    static let tokens: [String] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "1e999", "-0", "0.0000001",
        "\"type\"", "\"data\"", "\"meeting\"", "\"2027-02-30\"", "\"24:61\"", "\u{0}", "\u{1F600}", "\n", "ä",
        String(repeating: "[", count: 600), String(repeating: "9", count: 400), "\"norrbotten-lsg/2027-02-11-extra-\"",
        "\"../../etc\"", "\"\\r\\nX: y\"",
    ]

    static func mutate(_ input: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...8, using: &random)))
            case 2:
                let token = Array(tokens[Int.random(in: 0..<tokens.count, using: &random)].utf8)
                bytes.insert(contentsOf: token, at: Int.random(in: 0...bytes.count, using: &random))
            case 3 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &random))
            case 4: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            default:
                bytes += (0..<Int.random(in: 1...8, using: &random)).map { _ in
                    UInt8.random(in: 32...126, using: &random)
                }
            }
        }
        return bytes
    }

    @Test("100,000 mutated bodies through the parser: no crash, every refusal names a field or the body")
    func parser() {
        var random = Generator(state: 0x5EED)
        var accepted = 0
        var refused = 0
        for index in 0..<100_000 {
            let seed = Array(Self.seeds[index % Self.seeds.count].utf8)
            switch TriggerParser.parse(Self.mutate(seed, &random)) {
            case .success: accepted += 1
            case .failure(let rejection):
                refused += 1
                if rejection.fields.isEmpty { Issue.record("a refusal without a field: \(rejection)") }
            }
        }
        #expect(accepted + refused == 100_000)
        #expect(accepted > 0 && refused > 0)
    }

    @Test("12,000 mutated, correctly signed requests through the HTTP endpoint: documented statuses only")
    func endpoint() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let documented: Set<Int> = [202, 400, 401, 403, 404, 409, 413, 422]
        // A live server as `kallad run` serves it: what the trigger channel handler takes and what it passes on.
        let seen = try await Fixture.server(services).test(.live) { client in
            var random = Generator(state: 0xF022)
            var seen: [Int: Int] = [:]
            for index in 0..<12_000 {
                let seed = Array(Self.seeds[index % Self.seeds.count].utf8)
                let bytes = Self.mutate(seed, &random)
                let text = String(decoding: bytes, as: UTF8.self)
                // Most are signed over exactly what is sent; some over the pre-mutation text (a tampered body).
                let signedText = index % 10 == 0 ? String(decoding: seed, as: UTF8.self) : text
                var headers = Fixture.signed(signedText, id: "f\(index)")
                if index % 7 == 0 {
                    headers[HTTPField.Name("webhook-timestamp")!] = String(Int.random(in: -1...Int.max, using: &random))
                }
                let status = try await client.execute(
                    uri: "/v1/triggers", method: .post, headers: headers, body: ByteBuffer(bytes: bytes)
                ) { $0.status.code }
                seen[status, default: 0] += 1
            }
            return seen
        }
        #expect(Set(seen.keys).isSubset(of: documented), "\(seen)")
        #expect(seen[202, default: 0] > 0)
        #expect(seen[401, default: 0] > 0)
    }
}

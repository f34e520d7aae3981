import Foundation
import KalladCore
import Testing

@testable import KalladDaemon

@Suite("Trigger bodies read by the strict JSON reader, against JSONSerialization")
struct TriggerBodyJSONTests {
    /// Foundation's reading of the same bytes, in the reader's terms (nil when it refuses them).
    static func foundation(_ bytes: [UInt8]) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        func convert(_ value: Any) -> JSONValue {
            switch value {
            case let text as String: return .string(text)
            case let map as [String: Any]: return .object(map.mapValues(convert))
            case let list as [Any]: return .array(list.map(convert))
            case is NSNull: return .null
            default: return .number("")
            }
        }
        return convert(object)
    }

    static func hasHugeNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let map): map.values.contains(where: hasHugeNumber)
        case .array(let list): list.contains(where: hasHugeNumber)
        case .number(let text): Double(text)?.isFinite != true
        case .string, .bool, .null: false
        }
    }

    /// Numbers and booleans reduced to one marker, since Foundation does not keep their text.
    static func shape(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let map): .object(map.mapValues(shape))
        case .array(let list): .array(list.map(shape))
        case .number, .bool: .number("")
        case .string, .null: value
        }
    }

    @Test("on 20,000 mutated trigger bodies the reader agrees with JSONSerialization, or is stricter on purpose")
    func agreesWithFoundation() {
        var random = FuzzTests.Generator(state: 0x15_0BAD)
        var agreed = 0
        for index in 0..<20_000 {
            let bytes = FuzzTests.mutate(Array(FuzzTests.seeds[index % FuzzTests.seeds.count].utf8), &random)
            let ours = JSONValue.read(bytes)
            let theirs = Self.foundation(bytes)
            switch ours {
            case .success(let value):
                // Foundation refuses a number a Double cannot hold; no trigger field is a number, so it is kept.
                if theirs == nil && Self.hasHugeNumber(value) {
                    agreed += 1
                    continue
                }
                #expect(theirs.map(Self.shape) == Self.shape(value), "\(String(decoding: bytes, as: UTF8.self))")
                agreed += 1
            case .failure(let malformed):
                let onPurpose =
                    malformed.message.hasSuffix("appears twice")
                    || ["nested too deeply", "a trailing comma"].contains(malformed.message)
                if theirs != nil && !onPurpose {
                    let text = String(decoding: bytes, as: UTF8.self)
                    Issue.record("refused what Foundation reads (\(malformed)): \(text)")
                } else {
                    agreed += 1
                }
            }
        }
        #expect(agreed == 20_000)
    }

    @Test("the 202 document reads back as what it says, escapes included")
    func acceptedDocument() throws {
        for (id, meeting) in [("bench-1", "lsg/2027-02-11"), ("a\"b\\c\u{7F}\u{1}", "å/ä\nö 😀")] {
            let text = TriggerEndpoint.accepted(
                id: id, type: "agenda.item.added", system: "bench", meetings: [meeting, "x"])
            #expect(
                try JSONValue.read(Array(text.utf8)).get()
                    == .object([
                        "id": .string(id), "meetings": .array([.string(meeting), .string("x")]),
                        "status": .string("accepted"), "system": .string("bench"), "type": .string("agenda.item.added"),
                    ]))
            var escaped = ""
            JSONString.append(id, to: &escaped)
            #expect(text.hasPrefix("{\"id\":" + escaped + ","))
        }
    }
}

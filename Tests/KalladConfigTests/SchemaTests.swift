import Foundation
import KalladTestSupport
import Testing

@Suite("The JSON Schema for editors")
struct SchemaTests {
    @Test("every bundled config file validates, and invalid documents are rejected")
    func schema() throws {
        let root = Oracle.packageRoot
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Config").path)
            .filter { $0.hasSuffix(".yaml") }.map { root.appendingPathComponent("Config/\($0)").path }
        #expect(files.count >= 5)
        let invalid = [
            "bodies: [{id: x, name: X, kind: network, members: [], convener: {seat: a}, chair: {seat: a}, "
                + "secretary: {seat: a}, cadance: []}]",
            "parties: [{id: Region, name: R, kind: region}]",
            "people: [{id: a, name: A, email: not-an-address}]",
            "bodies: [{id: x, name: X, kind: club, members: [], convener: {seat: a}, chair: {seat: a}, "
                + "secretary: {seat: a}}]",
            "settings: {terms: {spring: \"01-08..06-15\"}}",
            "changes: [{id: c, moved: {meeting: lsg/2027-02-11}}]",
        ]
        let request: [String: Any] = [
            "schema": root.appendingPathComponent("Config/schema/kallad.schema.json").path, "valid": files,
            "invalid": invalid,
        ]
        let output = String(
            decoding: try Oracle.run(
                "schema_check.py",
                input: try JSONSerialization.data(withJSONObject: request)),
            as: UTF8.self)
        #expect(
            output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "ok \(files.count) valid, \(invalid.count) rejected",
            "\(output)")
    }
}

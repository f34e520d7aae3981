import Foundation
import GRDB
import KalladCore
@testable import KalladStore
import Testing

@Suite("The trigger log and its overlay changes")
struct TriggerLogTests {
    let item = OverlayChange.Action.agendaItem(meeting: "b/2027-05-06", title: "Ärende", submittedBy: nil)

    func entry(_ id: String, changes: [String]) -> TriggerEntry {
        TriggerEntry(
            id: id, system: "s", type: "agenda.item.added", receivedAt: t0, payload: "{}",
            changes: changes.map { OverlayChange(id: $0, action: item, knownAt: t0) })
    }

    @Test("a change whose id is not its trigger's own is refused before anything is written")
    func foreignChangeIDs() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        let refused: [TriggerEntry] = [
            entry("msg_1", changes: ["msg_2"]),
            entry("msg_1", changes: ["msg_10"]),
            entry("msg_1", changes: ["msg_1/"]),
            entry("msg_1", changes: ["msg_1/0", "msg_1/0"]),
            entry("msg_1", changes: ["msg_1", "msg_1"]),
            entry("a/b", changes: ["a/b"]),
            entry("", changes: []),
        ]
        for each in refused {
            #expect(throws: StoreError.self, "\(each.id) \(each.changes.map(\.id))") {
                _ = try db.recordTrigger(each)
            }
            do {
                _ = try await db.logTrigger(each)
                Issue.record("logTrigger took \(each.changes.map(\.id))")
            } catch {
                #expect(error.code == "store.state")
            }
        }
        #expect(try db.overlay().changes.isEmpty)
        #expect(try db.recordTrigger(entry("msg_1", changes: ["msg_1/0", "msg_1/1"])), "the id was never logged")
        #expect(try db.recordTrigger(entry("msg_2", changes: ["msg_2"])))
        #expect(try db.recordTrigger(entry("msg_2", changes: ["msg_2"])) == false)
        #expect(try db.overlay().changes.map(\.id) == ["msg_1/0", "msg_1/1", "msg_2"])
    }

    @Test("migration v4 keeps the overlay of a v3 database and drops the overlay table's indexes")
    func migrationFromV3() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        do {
            let queue = try DatabaseQueue(path: temp.path)
            try KalladDatabase.migrator.migrate(queue, upTo: "v3")
            try await queue.write { db in
                for id in ["msg_1", "msg_2"] {
                    try db.execute(
                        sql: """
                            INSERT INTO trigger_log (id, system, type, received_at, payload) VALUES (?, 's', 't', ?, '{}')
                            """,
                        arguments: [id, t0.secondsSinceEpoch])
                    try db.execute(
                        sql: "INSERT INTO overlay_change (change_id, trigger_id, known_at, action) VALUES (?, ?, ?, ?)",
                        arguments: [id, id, t0.secondsSinceEpoch, OverlayCodec.encode(item)])
                }
            }
        }
        let db = try temp.open()
        #expect(try db.overlay().changes.map(\.id) == ["msg_1", "msg_2"])
        let indexes = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA index_list(overlay_change)") }
        #expect(indexes.isEmpty)
        let keys = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_list(overlay_change)") }
        #expect(keys.isEmpty)
        #expect(try db.recordTrigger(entry("msg_1", changes: ["msg_1"])) == false, "ids from before still count")
        #expect(try await db.logTrigger(entry("msg_3", changes: ["msg_3"])))
        #expect(try db.overlay().changes.map(\.id) == ["msg_1", "msg_2", "msg_3"])
        #expect(try db.overlay().changes.allSatisfy { $0.action == item && $0.knownAt == t0 })
    }
}

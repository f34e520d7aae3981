import Testing

@testable import KalladConfig

@Suite("The id table finds ids by their bytes and keeps the order they were declared in")
struct IDTableTests {
    @Test("Each id is found at the place it was first put in, by text and by bytes; other ids are not")
    func findsEveryID() {
        let table = IDTable<Int>()
        // Lengths around the eight-byte words the hash takes, and enough ids to grow the table several times.
        let ids = (0..<5_000).map { "o-\(String(repeating: "x", count: $0 % 19))\($0)" } + [""]
        for (place, id) in ids.enumerated() { #expect(table.insert(id, place) == nil) }
        #expect(table.count == ids.count)
        for (place, id) in ids.enumerated() {
            #expect(table.place(of: id) == place)
            #expect(table[id] == place)
            var text = id
            #expect(text.withUTF8 { table.place(ofBytes: $0) } == place)
        }
        #expect(!table.contains("o-4999x"))
        #expect(!table.contains("o-"))
        #expect(Set(table.keys) == Set(ids))
    }

    @Test("An id put in twice keeps its first value, and the second is answered with it")
    func keepsTheFirst() {
        let table = IDTable<String>()
        #expect(table.insert("anna", "first") == nil)
        #expect(table.insert("anna", "second") == "first")
        #expect(table["anna"] == "first")
        #expect(table.count == 1)
    }

    @Test("An id taken out is gone until it is put in again, with a new number")
    func removes() {
        let table = IDTable<Int>()
        _ = table.insert("a", 1)
        _ = table.insert("b", 2)
        table.remove("a")
        #expect(!table.contains("a"))
        #expect(table.keys == ["b"])
        #expect(table.count == 1)
        #expect(table.insert("a", 3) == nil)
        #expect(table["a"] == 3)
        #expect(table.place(of: "a") == 2)
        #expect(table.place(of: "b") == 1)
    }

    @Test("Ids with the same bytes in other strings are the same id; a non-ASCII id is found too")
    func bytesDecide() {
        let table = IDTable<Int>()
        _ = table.insert("region-01-o12", 7)
        _ = table.insert("växjö", 8)
        #expect(table[String("xregion-01-o12".dropFirst())] == 7)
        #expect(table["växjö"] == 8)
        #expect(table["vaxjo"] == nil)
    }
}

/// A parser for the part of YAML the configuration uses, about ten times faster than building Yams' node tree:
/// block mappings and sequences (also a sequence at its key's indentation), flow mappings and sequences over one or
/// more lines, plain, single- and double-quoted scalars on one line, `|` and `>` block scalars (clipped or `-`),
/// and comments.
///
/// It gives up (`nil`) on anything else, and on anything it is not sure libyaml reads the same way: tabs, CR, control
/// characters, a BOM, anchors, aliases, tags, directives, document markers, complex keys, empty values, multi-line
/// plain or quoted scalars, duplicate keys, and every syntax error. The loader then parses the file with Yams, so
/// the tree and every diagnostic are exactly Yams' in those cases. Tests compare both parsers' trees on every
/// bundled and generated file and on the malformed inputs of the robustness test.
struct YAMLFastParser {
    struct GiveUp: Error {}

    var tree = YAMLTree.Builder()
    /// The file's bytes followed by a 0, so every look-ahead stops at the end without a bounds check.
    let p: UnsafeBufferPointer<UInt8>
    let end: Int
    var pos = 0
    var line: Int32 = 1
    var lineStart = 0
    /// Column memo for the current line: the byte offset and the column (in Unicode scalars) there.
    var memoLineStart = -1
    var memoPos = 0
    var memoColumn: Int32 = 1
    /// Entries of the collections being built, each collection's from its start mark.
    var scratch: [Int32] = []

    init(buffer: UnsafeBufferPointer<UInt8>, end: Int) {
        self.p = buffer
        self.end = end
    }

    /// The tree of `bytes` (valid UTF-8, no NUL), or `nil` when the file needs Yams.
    static func parse(file: String, bytes: [UInt8]) -> YAMLTree? {
        var padded = bytes
        padded.append(0)
        let built = padded.withUnsafeBufferPointer { buffer -> YAMLTree.Builder? in
            var parser = YAMLFastParser(buffer: buffer, end: bytes.count)
            parser.tree.nodes.reserveCapacity(bytes.count / 10)
            parser.tree.children.reserveCapacity(bytes.count / 10)
            do {
                try parser.document()
                return parser.tree
            } catch {
                return nil
            }
        }
        return built.map { YAMLTree(file: file, bytes: bytes, built: $0) }
    }

    // MARK: - Characters

    static func isSpaceOrEnd(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0 }
    static func isFlowIndicator(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "{")
            || c == UInt8(ascii: "}")
    }

    /// A plain scalar may start here (a narrower set than YAML allows).
    static func startsPlain(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), 0xC3...0xF4:
            return true
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"),
            UInt8(ascii: "="), UInt8(ascii: "$"), UInt8(ascii: "("), UInt8(ascii: "<"), UInt8(ascii: ";"),
            UInt8(ascii: "^"):
            return true
        default:
            return false
        }
    }

    /// Refuses characters libyaml rejects or reads as line breaks, tabs, CR, a BOM.
    func screen() throws(GiveUp) {
        var i = 0
        while i < end {
            let c = p[i]
            if c < 0x80 {
                if (c < 0x20 && c != 0x0A) || c == 0x7F { throw GiveUp() }
            } else if c == 0xC2 {
                if p[i + 1] < 0xA0 { throw GiveUp() }  // C1 controls and NEL
            } else if c == 0xEF {
                if (p[i + 1] == 0xBB && p[i + 2] == 0xBF) || (p[i + 1] == 0xBF && p[i + 2] >= 0xBE) { throw GiveUp() }
            } else if c == 0xE2 {
                if p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9) { throw GiveUp() }
            }
            i += 1
        }
    }

    // MARK: - Lines and places

    var indent: Int { pos - lineStart }

    mutating func column(at offset: Int) -> Int32 {
        if memoLineStart != lineStart || offset < memoPos {
            memoLineStart = lineStart
            memoPos = lineStart
            memoColumn = 1
        }
        var i = memoPos
        var column = memoColumn
        while i < offset {
            if p[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        memoPos = offset
        memoColumn = column
        return column
    }

    /// Moves past a line break.
    mutating func newLine() {
        pos += 1
        line += 1
        lineStart = pos
    }

    /// From the start of a line: skips blank and comment lines, stops at the first character of the next line with
    /// content. Returns false at the end of the file.
    mutating func nextContentLine() -> Bool {
        while pos < end {
            while p[pos] == 0x20 { pos += 1 }
            let c = p[pos]
            if c == 0x0A {
                newLine()
            } else if c == UInt8(ascii: "#") {
                while p[pos] != 0x0A && p[pos] != 0 { pos += 1 }
            } else if c == 0 {
                return false
            } else {
                return true
            }
        }
        return false
    }

    /// After a value: spaces, an optional comment, the line break, then on to the next line with content.
    mutating func endOfLine() throws(GiveUp) -> Bool {
        let before = pos
        while p[pos] == 0x20 { pos += 1 }
        if p[pos] == UInt8(ascii: "#") {
            guard pos > before else { throw GiveUp() }
            while p[pos] != 0x0A && p[pos] != 0 { pos += 1 }
        }
        if p[pos] == 0 { return false }
        guard p[pos] == 0x0A else { throw GiveUp() }
        newLine()
        return nextContentLine()
    }

    // MARK: - Nodes

    mutating func newNode(
        _ kind: YAMLTree.Kind, _ style: YAMLTree.Style, at offset: Int, parent: Int32
    )
        -> Int32
    {
        let index = Int32(tree.nodes.count)
        tree.nodes.append(
            YAMLTree.Node(
                kind: kind, style: style, line: line, column: column(at: offset), first: 0, count: 0, parent: parent))
        return index
    }

    mutating func close(_ index: Int32, from mark: Int) {
        tree.close(index, scratch[mark...])
        scratch.removeSubrange(mark...)
    }

    mutating func setText(_ index: Int32, start: Int, count: Int) {
        tree.nodes[Int(index)].first = Int32(start)
        tree.nodes[Int(index)].count = Int32(count)
    }

    mutating func setText(_ index: Int32, _ bytes: [UInt8]) {
        tree.texts.append(String(decoding: bytes, as: UTF8.self))
        tree.nodes[Int(index)].first = -Int32(tree.texts.count)
    }

    /// A scalar's text as bytes.
    func textBytes(_ index: Int32) -> [UInt8] {
        let node = tree.nodes[Int(index)]
        if node.first < 0 { return Array(tree.texts[Int(-1 - node.first)].utf8) }
        return Array(p[Int(node.first)..<Int(node.first + node.count)])
    }

    /// Gives up when a mapping has a key twice (Yams reports it).
    func checkDuplicates(from mark: Int) throws(GiveUp) {
        var i = mark
        while i < scratch.count {
            var j = mark
            while j < i {
                let a = tree.nodes[Int(scratch[i])], b = tree.nodes[Int(scratch[j])]
                if a.first >= 0 && b.first >= 0 {
                    if a.count == b.count
                        && p[Int(a.first)..<Int(a.first + a.count)].elementsEqual(
                            p[Int(b.first)..<Int(b.first + b.count)])
                    {
                        throw GiveUp()
                    }
                } else if textBytes(scratch[i]) == textBytes(scratch[j]) {
                    throw GiveUp()
                }
                j += 2
            }
            i += 2
        }
    }

    // MARK: - Block structure

    mutating func document() throws(GiveUp) {
        try screen()
        guard nextContentLine() else { return }
        guard indent == 0, lineHasKey() else { throw GiveUp() }
        tree.root = try blockMapping(indent: 0, parent: -1)
        guard pos >= end else { throw GiveUp() }
    }

    /// At a line's first character: a block mapping or sequence at this indentation.
    mutating func blockNode(parent: Int32) throws(GiveUp) -> Int32 {
        let n = indent
        if p[pos] == UInt8(ascii: "-") && Self.isSpaceOrEnd(p[pos + 1]) {
            return try blockSequence(indent: n, indentless: false, parent: parent)
        }
        guard lineHasKey() else { throw GiveUp() }
        return try blockMapping(indent: n, parent: parent)
    }

    /// Whether the text from here is a one-line key followed by `: ` or `:` at the end of the line.
    func lineHasKey() -> Bool {
        var i = pos
        let c = p[i]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            i += 1
            while p[i] != c {
                if p[i] == 0x0A || p[i] == 0 { return false }
                if c == UInt8(ascii: "\"") && p[i] == UInt8(ascii: "\\") { i += 1 }
                i += 1
            }
            i += 1
            return p[i] == UInt8(ascii: ":") && Self.isSpaceOrEnd(p[i + 1])
        }
        guard Self.startsPlain(c) else { return false }
        while true {
            let b = p[i]
            if b == 0x0A || b == 0 { return false }
            if b == UInt8(ascii: ":") && Self.isSpaceOrEnd(p[i + 1]) { return true }
            if b == 0x20 && p[i + 1] == UInt8(ascii: "#") { return false }
            i += 1
        }
    }

    mutating func blockMapping(indent n: Int, parent: Int32) throws(GiveUp) -> Int32 {
        if lineStart == pos, p[pos] == UInt8(ascii: "-") || p[pos] == UInt8(ascii: ".") { throw GiveUp() }
        let node = newNode(.mapping, .other, at: pos, parent: parent)
        let mark = scratch.count
        while true {
            guard lineHasKey() else { throw GiveUp() }
            let key = try scalar(flow: false, parent: node)
            guard p[pos] == UInt8(ascii: ":") else { throw GiveUp() }
            pos += 1
            while p[pos] == 0x20 { pos += 1 }
            let value: Int32
            var more: Bool
            if p[pos] == 0x0A || p[pos] == 0 || p[pos] == UInt8(ascii: "#") {
                guard try endOfLine() else { throw GiveUp() }
                if indent > n {
                    value = try blockNode(parent: node)
                } else if indent == n && p[pos] == UInt8(ascii: "-") && Self.isSpaceOrEnd(p[pos + 1]) {
                    value = try blockSequence(indent: n, indentless: true, parent: node)
                } else {
                    throw GiveUp()
                }
                more = pos < end
            } else {
                (value, more) = try inlineValue(blockIndent: n, parent: node)
            }
            scratch.append(key)
            scratch.append(value)
            guard more, indent >= n else { break }
            guard indent == n else { throw GiveUp() }
        }
        try checkDuplicates(from: mark)
        close(node, from: mark)
        return node
    }

    mutating func blockSequence(indent n: Int, indentless: Bool, parent: Int32) throws(GiveUp) -> Int32 {
        let node = newNode(.sequence, .other, at: pos, parent: parent)
        let mark = scratch.count
        while true {
            guard p[pos] == UInt8(ascii: "-"), Self.isSpaceOrEnd(p[pos + 1]) else { throw GiveUp() }
            pos += 1
            while p[pos] == 0x20 { pos += 1 }
            let item: Int32
            var more: Bool
            if p[pos] == 0x0A || p[pos] == 0 || p[pos] == UInt8(ascii: "#") {
                guard try endOfLine(), indent > n else { throw GiveUp() }
                item = try blockNode(parent: node)
                more = pos < end
            } else if lineHasKey() {
                item = try blockMapping(indent: indent, parent: node)
                more = pos < end
            } else {
                (item, more) = try inlineValue(blockIndent: n, parent: node)
            }
            scratch.append(item)
            guard more, indent >= n else { break }
            guard indent == n else { throw GiveUp() }
            if !(p[pos] == UInt8(ascii: "-") && Self.isSpaceOrEnd(p[pos + 1])) {
                guard indentless else { throw GiveUp() }
                break
            }
        }
        close(node, from: mark)
        return node
    }

    /// A value on the same line as its key or dash; returns the node and whether another line with content follows.
    mutating func inlineValue(blockIndent n: Int, parent: Int32) throws(GiveUp) -> (Int32, Bool) {
        let c = p[pos]
        let value: Int32
        if c == UInt8(ascii: "|") || c == UInt8(ascii: ">") {
            return try blockScalar(blockIndent: n, parent: parent)
        } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            value = try flowCollection(blockIndent: n, parent: parent)
        } else {
            value = try scalar(flow: false, parent: parent)
            if p[pos] == UInt8(ascii: ":") { throw GiveUp() }
        }
        return (value, try endOfLine())
    }
}

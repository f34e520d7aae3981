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

    private var tree = YAMLTree.Builder()
    /// The file's bytes followed by a 0, so every look-ahead stops at the end without a bounds check.
    private let p: UnsafeBufferPointer<UInt8>
    private let end: Int
    private var pos = 0
    private var line: Int32 = 1
    private var lineStart = 0
    /// Column memo for the current line: the byte offset and the column (in Unicode scalars) there.
    private var memoLineStart = -1
    private var memoPos = 0
    private var memoColumn: Int32 = 1
    /// Entries of the collections being built, each collection's from its start mark.
    private var scratch: [Int32] = []

    private init(buffer: UnsafeBufferPointer<UInt8>, end: Int) {
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

    private static func isSpaceOrEnd(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0 }
    private static func isFlowIndicator(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "{")
            || c == UInt8(ascii: "}")
    }

    /// A plain scalar may start here (a narrower set than YAML allows).
    private static func startsPlain(_ c: UInt8) -> Bool {
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
    private func screen() throws(GiveUp) {
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

    private var indent: Int { pos - lineStart }

    private mutating func column(at offset: Int) -> Int32 {
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
    private mutating func newLine() {
        pos += 1
        line += 1
        lineStart = pos
    }

    /// From the start of a line: skips blank and comment lines, stops at the first character of the next line with
    /// content. Returns false at the end of the file.
    private mutating func nextContentLine() -> Bool {
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
    private mutating func endOfLine() throws(GiveUp) -> Bool {
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

    private mutating func newNode(
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

    private mutating func close(_ index: Int32, from mark: Int) {
        tree.close(index, scratch[mark...])
        scratch.removeSubrange(mark...)
    }

    private mutating func setText(_ index: Int32, start: Int, count: Int) {
        tree.nodes[Int(index)].first = Int32(start)
        tree.nodes[Int(index)].count = Int32(count)
    }

    private mutating func setText(_ index: Int32, _ bytes: [UInt8]) {
        tree.texts.append(String(decoding: bytes, as: UTF8.self))
        tree.nodes[Int(index)].first = -Int32(tree.texts.count)
    }

    /// A scalar's text as bytes.
    private func textBytes(_ index: Int32) -> [UInt8] {
        let node = tree.nodes[Int(index)]
        if node.first < 0 { return Array(tree.texts[Int(-1 - node.first)].utf8) }
        return Array(p[Int(node.first)..<Int(node.first + node.count)])
    }

    /// Gives up when a mapping has a key twice (Yams reports it).
    private func checkDuplicates(from mark: Int) throws(GiveUp) {
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

    private mutating func document() throws(GiveUp) {
        try screen()
        guard nextContentLine() else { return }
        guard indent == 0, lineHasKey() else { throw GiveUp() }
        tree.root = try blockMapping(indent: 0, parent: -1)
        guard pos >= end else { throw GiveUp() }
    }

    /// At a line's first character: a block mapping or sequence at this indentation.
    private mutating func blockNode(parent: Int32) throws(GiveUp) -> Int32 {
        let n = indent
        if p[pos] == UInt8(ascii: "-") && Self.isSpaceOrEnd(p[pos + 1]) {
            return try blockSequence(indent: n, indentless: false, parent: parent)
        }
        guard lineHasKey() else { throw GiveUp() }
        return try blockMapping(indent: n, parent: parent)
    }

    /// Whether the text from here is a one-line key followed by `: ` or `:` at the end of the line.
    private func lineHasKey() -> Bool {
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

    private mutating func blockMapping(indent n: Int, parent: Int32) throws(GiveUp) -> Int32 {
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

    private mutating func blockSequence(indent n: Int, indentless: Bool, parent: Int32) throws(GiveUp) -> Int32 {
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
    private mutating func inlineValue(blockIndent n: Int, parent: Int32) throws(GiveUp) -> (Int32, Bool) {
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

    // MARK: - Scalars

    /// A plain or quoted scalar on one line; leaves `pos` after it (after trailing spaces of a plain scalar only
    /// when they end the line or precede a comment).
    private mutating func scalar(flow: Bool, parent: Int32) throws(GiveUp) -> Int32 {
        let c = p[pos]
        if c == UInt8(ascii: "\"") { return try doubleQuoted(parent: parent) }
        if c == UInt8(ascii: "'") { return try singleQuoted(parent: parent) }
        guard Self.startsPlain(c) else { throw GiveUp() }
        let start = pos
        let node = newNode(.scalar, .plain, at: start, parent: parent)
        var last = pos  // one past the last non-space byte
        while true {
            let b = p[pos]
            if b == 0x0A || b == 0 { break }
            if b == 0x20 {
                var next = pos
                while p[next] == 0x20 { next += 1 }
                let d = p[next]
                if d == UInt8(ascii: "#") || d == 0x0A || d == 0 { break }
                if d == UInt8(ascii: ":") && Self.isSpaceOrEnd(p[next + 1]) { throw GiveUp() }
                if flow && (Self.isFlowIndicator(d) || d == UInt8(ascii: ":")) { break }
                pos = next
                continue
            }
            if b == UInt8(ascii: ":") {
                let d = p[pos + 1]
                if Self.isSpaceOrEnd(d) { break }
                if flow && (Self.isFlowIndicator(d) || d == UInt8(ascii: "?")) { throw GiveUp() }
            }
            if flow && Self.isFlowIndicator(b) { break }
            pos += 1
            last = pos
        }
        if lineStart == start && p[start] == UInt8(ascii: ".") { throw GiveUp() }
        if last - start > 1000 { throw GiveUp() }
        setText(node, start: start, count: last - start)
        return node
    }

    private mutating func singleQuoted(parent: Int32) throws(GiveUp) -> Int32 {
        let node = newNode(.scalar, .singleQuoted, at: pos, parent: parent)
        pos += 1
        let start = pos
        var decoded: [UInt8]?
        while true {
            let b = p[pos]
            if b == 0x0A || b == 0 { throw GiveUp() }
            if b == UInt8(ascii: "'") {
                if p[pos + 1] == UInt8(ascii: "'") {
                    if decoded == nil { decoded = Array(p[start..<pos]) }
                    decoded?.append(b)
                    pos += 2
                    continue
                }
                break
            }
            decoded?.append(b)
            pos += 1
        }
        if pos - start > 1000 { throw GiveUp() }
        if let decoded { setText(node, decoded) } else { setText(node, start: start, count: pos - start) }
        pos += 1
        return node
    }

    private mutating func doubleQuoted(parent: Int32) throws(GiveUp) -> Int32 {
        let node = newNode(.scalar, .doubleQuoted, at: pos, parent: parent)
        pos += 1
        let start = pos
        var decoded: [UInt8]?
        while true {
            let b = p[pos]
            if b == 0x0A || b == 0 { throw GiveUp() }
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                if decoded == nil { decoded = Array(p[start..<pos]) }
                pos += 1
                let e = p[pos]
                pos += 1
                var scalar: UInt32
                switch e {
                case UInt8(ascii: "0"): scalar = 0
                case UInt8(ascii: "a"): scalar = 7
                case UInt8(ascii: "b"): scalar = 8
                case UInt8(ascii: "t"): scalar = 9
                case UInt8(ascii: "n"): scalar = 10
                case UInt8(ascii: "v"): scalar = 11
                case UInt8(ascii: "f"): scalar = 12
                case UInt8(ascii: "r"): scalar = 13
                case UInt8(ascii: "e"): scalar = 0x1B
                case UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): scalar = UInt32(e)
                case UInt8(ascii: "N"): scalar = 0x85
                case UInt8(ascii: "_"): scalar = 0xA0
                case UInt8(ascii: "L"): scalar = 0x2028
                case UInt8(ascii: "P"): scalar = 0x2029
                case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let digits = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                    scalar = 0
                    for _ in 0..<digits {
                        let h = p[pos]
                        let v: UInt8
                        switch h {
                        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = h - UInt8(ascii: "0")
                        case UInt8(ascii: "a")...UInt8(ascii: "f"): v = h - UInt8(ascii: "a") + 10
                        case UInt8(ascii: "A")...UInt8(ascii: "F"): v = h - UInt8(ascii: "A") + 10
                        default: throw GiveUp()
                        }
                        scalar = scalar << 4 | UInt32(v)
                        pos += 1
                    }
                default:
                    throw GiveUp()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw GiveUp() }
                decoded?.append(contentsOf: Array(String(Character(unicode)).utf8))
                continue
            }
            decoded?.append(b)
            pos += 1
        }
        if pos - start > 1000 { throw GiveUp() }
        if let decoded { setText(node, decoded) } else { setText(node, start: start, count: pos - start) }
        pos += 1
        return node
    }

    /// `|` or `>`, clipped or with `-`, content indented more than the enclosing collection, no more-indented lines
    /// in a folded scalar, no spaces on blank lines, no trailing spaces.
    private mutating func blockScalar(blockIndent n: Int, parent: Int32) throws(GiveUp) -> (Int32, Bool) {
        let folded = p[pos] == UInt8(ascii: ">")
        let node = newNode(.scalar, folded ? .folded : .literal, at: pos, parent: parent)
        pos += 1
        var strip = false
        if p[pos] == UInt8(ascii: "-") {
            strip = true
            pos += 1
        }
        let before = pos
        while p[pos] == 0x20 { pos += 1 }
        if p[pos] == UInt8(ascii: "#") {
            guard pos > before else { throw GiveUp() }
            while p[pos] != 0x0A && p[pos] != 0 { pos += 1 }
        }
        guard p[pos] == 0x0A else { throw GiveUp() }
        newLine()
        var text: [UInt8] = []
        var contentIndent = -1
        var pendingBreaks = 0
        var lines = 0
        while pos < end {
            var i = pos
            while p[i] == 0x20 { i += 1 }
            if p[i] == 0x0A {
                guard i == pos else { throw GiveUp() }
                if lines > 0 { pendingBreaks += 1 }
                newLine()
                continue
            }
            if p[i] == 0 { break }
            let lineIndent = i - pos
            if contentIndent < 0 {
                guard lineIndent > n, pendingBreaks == 0 else { throw GiveUp() }
                contentIndent = lineIndent
            }
            if lineIndent < contentIndent { break }
            if lineIndent > contentIndent && folded { throw GiveUp() }
            var e = pos + contentIndent
            if lines > 0 {
                if pendingBreaks == 0 {
                    text.append(folded ? 0x20 : 0x0A)
                } else {
                    if !folded { text.append(0x0A) }
                    text.append(contentsOf: repeatElement(0x0A, count: pendingBreaks))
                }
            }
            let contentStart = e
            while p[e] != 0x0A && p[e] != 0 { e += 1 }
            if p[e - 1] == 0x20 { throw GiveUp() }
            text.append(contentsOf: p[contentStart..<e])
            lines += 1
            pendingBreaks = 0
            pos = e
            // Without a final line break a clipped scalar has no trailing newline: left to Yams.
            guard p[pos] == 0x0A else { throw GiveUp() }
            newLine()
        }
        guard lines > 0 else { throw GiveUp() }
        if !strip { text.append(0x0A) }
        setText(node, text)
        if pos >= end { return (node, false) }
        // pos is at the start of the line that ended the scalar.
        return (node, nextContentLine())
    }

    // MARK: - Flow collections

    /// Spaces, line breaks and comments inside a flow collection; a continued line must be indented more than the
    /// enclosing block collection.
    private mutating func flowSpace(blockIndent n: Int) throws(GiveUp) {
        while true {
            let c = p[pos]
            if c == 0x20 {
                pos += 1
            } else if c == 0x0A {
                newLine()
                while p[pos] == 0x20 { pos += 1 }
                if p[pos] != 0x0A && p[pos] != UInt8(ascii: "#") && indent <= n { throw GiveUp() }
            } else if c == UInt8(ascii: "#") {
                guard pos > 0, p[pos - 1] == 0x20 || p[pos - 1] == 0x0A else { throw GiveUp() }
                while p[pos] != 0x0A && p[pos] != 0 { pos += 1 }
            } else {
                return
            }
        }
    }

    private mutating func flowCollection(blockIndent n: Int, parent: Int32) throws(GiveUp) -> Int32 {
        let isMapping = p[pos] == UInt8(ascii: "{")
        let closing = isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let node = newNode(isMapping ? .mapping : .sequence, .other, at: pos, parent: parent)
        let mark = scratch.count
        pos += 1
        try flowSpace(blockIndent: n)
        if p[pos] == closing {
            pos += 1
            close(node, from: mark)
            return node
        }
        while true {
            if isMapping {
                let key = try scalar(flow: true, parent: node)
                guard p[pos] == UInt8(ascii: ":"), p[pos + 1] == 0x20 || p[pos + 1] == 0x0A else { throw GiveUp() }
                pos += 1
                try flowSpace(blockIndent: n)
                scratch.append(key)
            }
            let c = p[pos]
            let value: Int32
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                value = try flowCollection(blockIndent: n, parent: node)
            } else {
                value = try scalar(flow: true, parent: node)
            }
            scratch.append(value)
            try flowSpace(blockIndent: n)
            if p[pos] == UInt8(ascii: ",") {
                pos += 1
                try flowSpace(blockIndent: n)
                if p[pos] == closing { throw GiveUp() }
                continue
            }
            guard p[pos] == closing else { throw GiveUp() }
            pos += 1
            break
        }
        if isMapping { try checkDuplicates(from: mark) }
        close(node, from: mark)
        return node
    }
}

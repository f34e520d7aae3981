import KalladCore

/// The scalars and flow collections of `YAMLFastParser`.
extension YAMLFastParser {
    // MARK: - Scalars

    /// A plain or quoted scalar on one line; leaves `pos` after it (after trailing spaces of a plain scalar only
    /// when they end the line or precede a comment).
    mutating func scalar(flow: Bool, parent: Int32) throws(GiveUp) -> Int32 {
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

    mutating func singleQuoted(parent: Int32) throws(GiveUp) -> Int32 {
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

    mutating func doubleQuoted(parent: Int32) throws(GiveUp) -> Int32 {
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
                        guard let v = HexDigit.value(p[pos]) else { throw GiveUp() }
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
    mutating func blockScalar(blockIndent n: Int, parent: Int32) throws(GiveUp) -> (Int32, Bool) {
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
    mutating func flowSpace(blockIndent n: Int) throws(GiveUp) {
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

    mutating func flowCollection(blockIndent n: Int, parent: Int32) throws(GiveUp) -> Int32 {
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

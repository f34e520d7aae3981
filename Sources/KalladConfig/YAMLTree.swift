import Foundation
import Yams

/// One YAML file as a flat array of nodes: scalars point into the file's bytes (or into `texts` when quoting or
/// folding changed them), collections into `children`. Built by `YAMLFastParser`, or from a Yams node tree when the
/// file uses more of YAML than that parser takes.
final class YAMLTree {
    enum Kind: UInt8 {
        case scalar, mapping, sequence, alias
    }

    enum Style: UInt8 {
        case plain, singleQuoted, doubleQuoted, literal, folded, other
    }

    struct Node {
        var kind: Kind
        var style: Style
        /// 1-based line, as Yams gives it.
        var line: Int32
        /// 1-based column in Unicode scalars, as Yams gives it.
        var column: Int32
        /// Scalar: the first byte in `bytes`, or `-1 - i` for `texts[i]`. Collection: the first entry in `children`.
        var first: Int32
        /// Scalar: its length in bytes. Collection: its entries in `children` (two per pair in a mapping).
        var count: Int32
        /// The collection the node is in; -1 at the top.
        var parent: Int32
    }

    let file: String
    /// The file's bytes (empty for a tree built from Yams).
    let bytes: [UInt8]
    // Constants once built: reading them needs no exclusivity check.
    let nodes: [Node]
    let children: [Int32]
    let texts: [String]
    /// The top node; -1 for an empty file.
    let root: Int32

    init(file: String, bytes: [UInt8], built: Builder) {
        self.file = file
        self.bytes = bytes
        self.nodes = built.nodes
        self.children = built.children
        self.texts = built.texts
        self.root = built.root
    }

    /// Collects the nodes while a parser reads a file.
    struct Builder {
        var nodes: [Node] = []
        var children: [Int32] = []
        var texts: [String] = []
        var root: Int32 = -1

        /// Gives a collection its entries.
        mutating func close(_ index: Int32, _ entries: ArraySlice<Int32>) {
            nodes[Int(index)].first = Int32(children.count)
            nodes[Int(index)].count = Int32(entries.count)
            children.append(contentsOf: entries)
        }
    }

    /// The tree of a Yams node.
    convenience init(file: String, yams node: Yams.Node?) {
        var builder = Builder()
        if let node { builder.root = Self.add(node, parent: -1, to: &builder) }
        self.init(file: file, bytes: [], built: builder)
    }

    private static func add(_ node: Yams.Node, parent: Int32, to builder: inout Builder) -> Int32 {
        let index = Int32(builder.nodes.count)
        let line = Int32(node.mark?.line ?? 1), column = Int32(node.mark?.column ?? 1)
        switch node {
        case .scalar(let scalar):
            let style: Style
            switch scalar.style {
            case .plain, .any: style = .plain
            case .singleQuoted: style = .singleQuoted
            case .doubleQuoted: style = .doubleQuoted
            case .literal: style = .literal
            case .folded: style = .folded
            }
            builder.texts.append(scalar.string)
            builder.nodes.append(
                Node(
                    kind: .scalar, style: style, line: line, column: column, first: -Int32(builder.texts.count),
                    count: 0, parent: parent))
        case .mapping(let mapping):
            builder.nodes.append(
                Node(kind: .mapping, style: .other, line: line, column: column, first: 0, count: 0, parent: parent))
            var entries: [Int32] = []
            for (key, value) in mapping {
                entries.append(add(key, parent: index, to: &builder))
                entries.append(add(value, parent: index, to: &builder))
            }
            builder.close(index, entries[...])
        case .sequence(let sequence):
            builder.nodes.append(
                Node(kind: .sequence, style: .other, line: line, column: column, first: 0, count: 0, parent: parent))
            var entries: [Int32] = []
            for item in sequence { entries.append(add(item, parent: index, to: &builder)) }
            builder.close(index, entries[...])
        case .alias:
            builder.nodes.append(
                Node(kind: .alias, style: .other, line: line, column: column, first: 0, count: 0, parent: parent))
        }
        return index
    }

    /// A scalar's text.
    func text(_ index: Int32) -> String {
        let node = nodes[Int(index)]
        if node.first < 0 { return texts[Int(-1 - node.first)] }
        let start = Int(node.first)
        return String(decoding: bytes[start..<(start + Int(node.count))], as: UTF8.self)
    }

    /// `body` of a scalar's text as bytes, without making a string where the text is the file's.
    func withBytes<Result>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let node = nodes[Int(index)]
        if node.first < 0 {
            var text = texts[Int(-1 - node.first)]
            return text.withUTF8(body)
        }
        let start = Int(node.first), count = Int(node.count)
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<(start + count)])) }
    }

    /// Whether a scalar's text is `word`, without making a string.
    func text(_ index: Int32, is word: String) -> Bool {
        let node = nodes[Int(index)]
        if node.first < 0 { return texts[Int(-1 - node.first)] == word }
        let start = Int(node.first), count = Int(node.count)
        guard word.utf8.count == count else { return false }
        if count == 0 { return true }
        let same = word.utf8.withContiguousStorageIfAvailable { wordBytes in
            bytes.withUnsafeBufferPointer { buffer in
                guard let a = wordBytes.baseAddress, let b = buffer.baseAddress else { return false }
                return memcmp(a, b + start, count) == 0
            }
        }
        return same ?? bytes[start..<(start + count)].elementsEqual(word.utf8)
    }

    /// The place in `words` of the first word a scalar's text is, if any, without making a string: the words of
    /// another length or first byte are passed over without comparing the rest.
    func match(_ index: Int32, in words: [String]) -> Int? {
        let node = nodes[Int(index)]
        if node.first < 0 { return words.firstIndex(of: texts[Int(-1 - node.first)]) }
        let start = Int(node.first), count = Int(node.count)
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            let text = base + start
            for (place, word) in words.enumerated() where word.utf8.count == count {
                if count == 0 { return place }
                let same = word.utf8.withContiguousStorageIfAvailable { wordBytes in
                    guard let a = wordBytes.baseAddress else { return false }
                    return a.pointee == text.pointee && memcmp(a, text, count) == 0
                }
                if same ?? word.utf8.elementsEqual(UnsafeBufferPointer(start: text, count: count)) { return place }
            }
            return nil
        }
    }

    /// Whether two scalars have the same text.
    func sameText(_ a: Int32, _ b: Int32) -> Bool {
        let x = nodes[Int(a)], y = nodes[Int(b)]
        if x.first >= 0 && y.first >= 0 {
            guard x.count == y.count else { return false }
            return bytes[Int(x.first)..<Int(x.first + x.count)]
                .elementsEqual(bytes[Int(y.first)..<Int(y.first + y.count)])
        }
        return text(a) == text(b)
    }

    /// The entries of a collection.
    func entries(_ index: Int32) -> ArraySlice<Int32> {
        let node = nodes[Int(index)]
        return children[Int(node.first)..<Int(node.first + node.count)]
    }

    /// `bodies[3].members[0].office`; empty at the top.
    func path(_ index: Int32) -> String {
        var steps: [(key: String?, index: Int)] = []
        var current = index
        while true {
            let parent = nodes[Int(current)].parent
            guard parent >= 0 else { break }
            let siblings = entries(parent)
            let slot = (siblings.firstIndex(of: current) ?? siblings.startIndex) - siblings.startIndex
            if nodes[Int(parent)].kind == .mapping {
                steps.append((text(siblings[siblings.startIndex + slot - slot % 2]), 0))
            } else {
                steps.append((nil, slot))
            }
            current = parent
        }
        var result = ""
        for step in steps.reversed() {
            if let key = step.key {
                result = result.isEmpty ? key : "\(result).\(key)"
            } else {
                result = "\(result)[\(step.index)]"
            }
        }
        return result
    }

    /// A canonical listing of the tree (kind, style, place, text), one node a line, for comparing two parsers.
    func dump() -> String {
        var out = ""
        func visit(_ index: Int32, _ depth: Int) {
            let node = nodes[Int(index)]
            out += String(repeating: " ", count: depth)
            out += "\(node.kind) \(node.style) \(node.line):\(node.column)"
            if node.kind == .scalar {
                out += " \(text(index).debugDescription)\n"
            } else {
                out += "\n"
                for child in entries(index) { visit(child, depth + 1) }
            }
        }
        if root >= 0 { visit(root, 0) }
        return out
    }
}

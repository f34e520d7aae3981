import Foundation
import KalladCore

/// A file's bodies read on two threads: the first half here, the second on a thread of its own by a copy of the
/// reader (`forkedForBodies`), then taken in file order — with exactly the result of reading them one after the
/// other. Reading a body only looks up what is declared (people, offices, parties, areas, earlier bodies) and the
/// settings, and a body is only read at once when it reads without a single diagnostic (`readBodyNowOrLater`), so
/// the second half's bodies that read cleanly against the declarations before the file's bodies read the same
/// after its first half — unless one of them repeats a body id of the first half, which `takeBodies` checks.
extension RegistryReader {
    /// Fewer bodies than this in a file are all read on this thread: a second thread costs more than they do.
    static let bodiesWorthASecondThread = 200

    /// Reads a file's bodies now or later, as `readBodyNowOrLater` would one after the other.
    func readBodiesNowOrLater(_ cursors: [YAMLCursor]) {
        guard cursors.count >= secondThreadFrom, bodyCursors.isEmpty, settingsSeen != nil else {
            for cursor in cursors { readBodyNowOrLater(cursor) }
            return
        }
        let half = cursors.count / 2
        let second = SecondHalf(reader: forkedForBodies(), cursors: cursors[half...])
        let thread = Thread { second.read() }
        thread.start()
        for cursor in cursors[..<half] { readBodyNowOrLater(cursor) }
        second.finished.wait()
        takeBodies(second, cursors: cursors[half...])
    }

    /// A reader for bodies only: what reading a body looks up, as it is now (but the bodies declared so far), and a
    /// sink of its own.
    func forkedForBodies() -> RegistryReader {
        let fork = RegistryReader(sink: DiagnosticSink())
        fork.settings = settings
        fork.settingsSeen = settingsSeen
        fork.offices = offices
        fork.officeIndex = officeIndex
        fork.declared = declared
        // Without the bodies: a body id the second half repeats is found by `takeBodies`, and this way neither
        // reader copies the other's ever longer list of body ids when it declares one.
        fork.declared["body"] = nil
        fork.parsedRules = parsedRules
        return fork
    }

    /// Takes the bodies the second half read cleanly, in file order, up to the first that the first half's
    /// bodies make different (an id declared twice) or that must wait anyway; it and every body after it wait for
    /// `finish`, as they would have read one after the other.
    func takeBodies(_ second: SecondHalf, cursors: ArraySlice<YAMLCursor>) {
        parsedRules.merge(second.reader.parsedRules) { known, _ in known }
        var waitFrom = bodyCursors.isEmpty ? second.reader.bodies.count : 0
        for (offset, body) in second.reader.bodies.enumerated() where offset < waitFrom {
            guard declared["body"]?[body.id] == nil else {
                waitFrom = offset
                break
            }
            declared["body", default: [:]][body.id] = cursors[cursors.startIndex + offset].location
            bodies.append(body)
        }
        bodyCursors += cursors[(cursors.startIndex + waitFrom)...]
    }

    /// The second half of a file's bodies and the reader that reads them, handed to its thread and back.
    ///
    /// `@unchecked Sendable`: the reader is only touched by the second thread between `read`'s start and the
    /// `finished` signal, and by the first thread only after it.
    final class SecondHalf: @unchecked Sendable {
        let reader: RegistryReader
        let cursors: [YAMLCursor]
        let finished = DispatchSemaphore(value: 0)

        init(reader: RegistryReader, cursors: ArraySlice<YAMLCursor>) {
            self.reader = reader
            // The same nodes, with the fork's sink for what reading them reports.
            self.cursors = cursors.map { YAMLCursor(tree: $0.tree, index: $0.index, sink: reader.sink) }
        }

        /// Reads bodies in order while each reads without a diagnostic; stops at the first that does not (it is
        /// read again, later, by the first thread).
        func read() {
            defer { finished.signal() }
            for cursor in cursors {
                let diagnosticCount = reader.sink.diagnostics.count
                let bodyCount = reader.bodies.count
                reader.readBody(cursor)
                guard reader.sink.diagnostics.count == diagnosticCount, reader.bodies.count > bodyCount else {
                    if reader.bodies.count > bodyCount { reader.bodies.removeLast() }
                    return
                }
            }
        }
    }
}

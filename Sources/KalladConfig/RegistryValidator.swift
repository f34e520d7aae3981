import Dispatch
import KalladCore

/// Checks the references between bodies that can only be checked once everything is read: bodies named by other
/// bodies, seats named by role rules, and cycles in `follows`, `same_as`, derived schedules and `before` ties.
struct RegistryValidator {
    let registry: Registry
    let sink: DiagnosticSink

    func validate() {
        // Cycles of role rules and of schedules are looked for on another thread (with a sink of its own) while
        // this one checks each body; their problems follow the bodies' here, as when they were found in turn.
        let cycles = DetachedValidator(RegistryValidator(registry: registry, sink: DiagnosticSink()))
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) {
            cycles.validator.checkRoleCycles()
            cycles.validator.checkScheduleCycles()
        }
        checkBodies()
        done.wait()
        sink.diagnostics += cycles.validator.sink.diagnostics
        checkChanges()
    }

    /// References, members, role rules and schedule sources of each body.
    func checkBodies() {
        for body in registry.bodies {
            let place = body.sourceLocation
            func requireBody(_ id: String, _ what: String) {
                guard registry.index(ofBody: id) == nil else { return }
                sink.error(
                    "config.unknown_id", "body \(body.id): \(what) names body '\(id)', which is not declared",
                    hint: Suggest.closest(to: id, in: registry.bodies.map(\.id)).map { "did you mean '\($0)'?" }
                        ?? "declare it under `bodies`", at: place)
            }
            if let parent = body.reportsTo { requireBody(parent, "reports_to") }
            for receiver in body.receivers where registry.receivers[receiver] == nil {
                sink.error(
                    "config.unknown_id", "body \(body.id): receivers names '\(receiver)', which is not declared",
                    hint: Suggest.closest(to: receiver, in: registry.receivers.keys.sorted())
                        .map { "did you mean '\($0)'?" } ?? "declare it under `receivers`", at: place)
            }
            for other in body.jointOf { requireBody(other, "joint_of") }
            for constraint in body.constraints { requireBody(constraint.body, "before") }
            if let derived = body.schedule.derived { requireBody(derived.body, "schedule.derived.from") }
            if body.seats.isEmpty && body.jointOf.isEmpty {
                sink.error(
                    "config.no_members", "body \(body.id) has no members",
                    hint: "list its members under `members`", at: place)
            }
            for role in Role.allCases {
                checkRule(rule(role, body), role: role, body: body)
            }
            if case .appointedBy = body.convener {
                sink.error(
                    "config.role", "body \(body.id): the convener cannot be appointed per meeting",
                    hint: "someone must send the summons: name a seat or a rotation", at: place)
            }
            let hasSource =
                body.schedule.recurrence != nil || body.schedule.derived != nil
                || !body.schedule.plan.isEmpty || !body.cadences.isEmpty
            if !hasSource {
                sink.diagnostics.append(
                    Diagnostic(
                        .warning, code: "config.no_schedule",
                        message: "body \(body.id) has no rule that gives meetings",
                        hint: "add `cadence`, `schedule.rrule`, `schedule.derived` or `schedule.plan`", location: place,
                        body: body.id))
            }
        }
    }

    func rule(_ role: Role, _ body: Body) -> RoleRule {
        switch role {
        case .convener: body.convener
        case .chair: body.chair
        case .secretary: body.secretary
        }
    }

    func checkRule(_ rule: RoleRule, role: Role, body: Body) {
        func seatExists(_ id: String) -> Bool {
            // By index, the ids compared in place: `seat(_:)` copies the seat it finds, and going through the seats
            // copies each one (a national registry's rules name some 30,000 seats).
            let seats = body.seats
            for index in seats.indices where seats[index].id == id { return true }
            return body.jointOf.contains { registry.body($0)?.seat(id) != nil }
        }
        func requireSeat(_ id: String) {
            guard !id.isEmpty, !seatExists(id) else { return }
            // Made only for the message: most rules name seats that are there.
            let seatIDs = body.seats.map(\.id) + body.jointOf.flatMap { registry.body($0)?.seats.map(\.id) ?? [] }
            sink.error(
                "config.unknown_seat", "body \(body.id): \(role.rawValue) names seat '\(id)', which is not a member",
                hint: Suggest.closest(to: id, in: seatIDs).map { "did you mean '\($0)'?" }
                    ?? "seats are the members' office ids (or `seat:`): \(seatIDs.prefix(6).joined(separator: ", "))",
                at: body.sourceLocation)
        }
        switch rule {
        case .seat(let id): requireSeat(id)
        case .rotation(let rotation): rotation.order.forEach(requireSeat)
        case .follows(let other, _):
            if registry.body(other) == nil {
                sink.error(
                    "config.unknown_id",
                    "body \(body.id): \(role.rawValue) follows body '\(other)', which is not declared",
                    hint: Suggest.closest(to: other, in: registry.bodies.map(\.id)).map { "did you mean '\($0)'?" }
                        ?? "",
                    at: body.sourceLocation)
            }
        case .sameAs, .appointedBy: break
        }
    }

    /// (body, role) → the (body, role) it takes its holder from; a cycle means nobody can be found.
    func checkRoleCycles() {
        // By index in `registry.bodies` and role (`body * 3 + role`): no body is copied and no key is made as
        // text until a cycle is found.
        let roles = Role.allCases
        func next(_ body: Int, _ role: Int) -> (Int, Int)? {
            switch rule(roles[role], in: body) {
            case .follows(let other, let otherRole):
                registry.index(ofBody: other).map { ($0, roles.firstIndex(of: otherRole) ?? 0) }
            case .sameAs(let other), .appointedBy(let other): (body, roles.firstIndex(of: other) ?? 0)
            case .seat, .rotation: nil
            }
        }
        func key(_ slot: Int) -> String { "\(registry.bodies[slot / 3].id).\(roles[slot % 3].rawValue)" }
        var reported: Set<String> = []
        var seen: [Int] = []
        for body in registry.bodies.indices {
            for role in roles.indices {
                seen.removeAll(keepingCapacity: true)
                var current: (Int, Int)? = (body, role)
                while let (b, r) = current {
                    let slot = b * 3 + r
                    if let start = seen.firstIndex(of: slot) {
                        let cycle = (seen[start...] + [slot]).map(key)
                        if reported.insert(cycle.sorted().joined()).inserted {
                            sink.error(
                                "config.role_cycle",
                                "role rules go round in a circle: "
                                    + cycle.joined(separator: " → "),
                                hint: "one of them must name a seat or a rotation",
                                at: registry.bodies[b].sourceLocation)
                        }
                        break
                    }
                    seen.append(slot)
                    current = next(b, r)
                }
            }
        }
    }

    /// The rule for `role` in the body at `index`, read without copying the body.
    func rule(_ role: Role, in index: Int) -> RoleRule {
        switch role {
        case .convener: registry.bodies[index].convener
        case .chair: registry.bodies[index].chair
        case .secretary: registry.bodies[index].secretary
        }
    }

    /// Derived schedules and `before` ties of bodies without a pattern: a cycle cannot be worked out.
    func checkScheduleCycles() {
        // By index in `registry.bodies` (of the body an id names): 0 not seen, 1 visiting, 2 done.
        var state = [UInt8](repeating: 0, count: registry.bodies.count)
        var stack: [Int] = []
        func visit(_ id: String) {
            guard let index = registry.index(ofBody: id) else { return }
            if state[index] == 2 { return }
            if state[index] == 1 {
                let cycle = (stack.drop { $0 != index } + [index]).map { registry.bodies[$0].id }
                sink.error(
                    "config.schedule_cycle",
                    "schedules depend on each other in a circle: \(cycle.joined(separator: " → "))",
                    hint: "give one of them its own rrule or plan", at: registry.bodies[index].sourceLocation)
                return
            }
            state[index] = 1
            stack.append(index)
            // Read field by field (what `Scheduler.dependencies(of:)` reads): the body is not copied.
            if let derived = registry.bodies[index].schedule.derived { visit(derived.body) }
            if registry.bodies[index].schedule.recurrence == nil && registry.bodies[index].schedule.derived == nil {
                for constraint in registry.bodies[index].constraints { visit(constraint.body) }
            }
            stack.removeLast()
            state[index] = 2
        }
        for index in registry.bodies.indices { visit(registry.bodies[index].id) }
    }

    func checkChanges() {
        for change in registry.changes.changes {
            guard let meeting = change.meetingID else { continue }
            let bodyID = String(meeting.prefix { $0 != "/" })
            guard let body = registry.body(bodyID) else {
                sink.error(
                    "config.unknown_id", "change \(change.id) names meeting '\(meeting)' of unknown body '\(bodyID)'",
                    hint: Suggest.closest(to: bodyID, in: registry.bodies.map(\.id)).map { "did you mean '\($0)'?" }
                        ?? "", at: change.location)
                continue
            }
            switch change.action {
            case .standIn(_, let seat, _), .absent(_, let seat):
                if body.seat(seat) == nil {
                    sink.error(
                        "config.unknown_seat", "change \(change.id) names seat '\(seat)', not a member of \(bodyID)",
                        hint: Suggest.closest(to: seat, in: body.seats.map(\.id)).map { "did you mean '\($0)'?" }
                            ?? "", at: change.location)
                }
            default: break
            }
        }
    }
}

/// A validator handed to another thread. `@unchecked Sendable`: its sink is its own, written only by that thread,
/// and read by the caller only after waiting for it; the registry is a value.
private final class DetachedValidator: @unchecked Sendable {
    let validator: RegistryValidator

    init(_ validator: RegistryValidator) { self.validator = validator }
}

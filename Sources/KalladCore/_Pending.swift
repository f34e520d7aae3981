// Temporary stand-ins until the recurrence branch merges. Deleted at merge.
public struct RecurrenceError: Error, Hashable, Sendable { public var code: String; public var message: String; public var offset: Int }
public struct RecurrenceRule: Hashable, Sendable {
    public static func parse(_ text: String) -> Result<RecurrenceRule, RecurrenceError> { .success(RecurrenceRule()) }
}
public struct RecurrenceSet: Hashable, Sendable {
    public var start: LocalDateTime
    public var rule: RecurrenceRule?
    public var rdates: [LocalDateTime]
    public var exdates: [LocalDateTime]
    public init(start: LocalDateTime, rule: RecurrenceRule?, rdates: [LocalDateTime] = [], exdates: [LocalDateTime] = []) {
        self.start = start; self.rule = rule; self.rdates = rdates; self.exdates = exdates
    }
    public func validate() -> RecurrenceError? { nil }
    public func occurrences(from: LocalDate, through: LocalDate) -> [LocalDateTime] { [start] }
}

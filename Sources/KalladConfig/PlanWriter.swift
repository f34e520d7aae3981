import KalladCore

/// Writes meeting dates as a `plan:` block that can be pasted under a body's `schedule:` to make them explicit.
public enum PlanWriter {
    /// The YAML lines of `plan: {year: [dates]}`, indented by `indent` spaces, with the weekday as a comment.
    public static func render(year: Int, dates: [LocalDate], indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent)
        var lines = ["\(pad)plan:", "\(pad)  \(year):"]
        if dates.isEmpty { lines[1] += " []" }
        for date in dates.sorted() { lines.append("\(pad)    - \(date)  # \(date.weekday.rawValue)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

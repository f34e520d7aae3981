import KalladCore

/// Dates and times in words, Swedish or English: `torsdag 11 februari 2027`, `Thursday 11 February 2027`.
public enum DateWording {
    static let weekdays = [
        "sv": ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
        "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    ]
    static let months = [
        "sv": [
            "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
            "november", "december",
        ],
        "en": [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ],
    ]

    /// The date in words in `language` (`sv` or `en`; anything else is English).
    public static func date(_ date: LocalDate, language: String) -> String {
        let lang = language == "sv" ? "sv" : "en"
        let weekday = weekdays[lang]?[date.weekday.index] ?? ""
        let month = months[lang]?[date.month - 1] ?? ""
        return "\(weekday) \(date.day) \(month) \(date.year)"
    }
}

import Foundation
import KalladCore
import Testing

/// Test helpers: `"2027-01-12T09:00"` or `"2027-01-12"` (09:00) to a date-time.
private func dateTime(_ text: String) throws -> LocalDateTime {
    let parts = text.split(separator: "T")
    let date = try #require(LocalDate(iso: parts[0]), "bad date in test: \(text)")
    let time = try #require(parts.count > 1 ? LocalTime(iso: parts[1]) : LocalTime(hour: 9, minute: 0))
    return LocalDateTime(date, time)
}

private func date(_ text: String) throws -> LocalDate { try #require(LocalDate(iso: text), "bad date: \(text)") }

private func rule(_ text: String) throws -> RecurrenceRule {
    switch RecurrenceRule.parse(text) {
    case .success(let rule): return rule
    case .failure(let error):
        Issue.record("\(text) does not parse: \(error)")
        throw error
    }
}

/// The dates (`YYYY-MM-DD`) of a set's occurrences from DTSTART through `through`.
private func expand(
    _ text: String, from start: String, through: String, rdates: [String] = [], exdates: [String] = []
) throws -> [String] {
    let set = RecurrenceSet(
        start: try dateTime(start), rule: try rule(text), rdates: try rdates.map(dateTime),
        exdates: try exdates.map(dateTime))
    #expect(set.validate() == nil, "\(text) from \(start): \(String(describing: set.validate()))")
    return set.occurrences(from: set.start.date, through: try date(through)).map { "\($0.date)" }
}

// MARK: - Parsing

struct RecurrenceRuleParsingTests {
    struct Good: Sendable, CustomTestStringConvertible {
        let text: String
        let printed: String
        var testDescription: String { text }
    }

    static let good: [Good] = [
        .init(text: "FREQ=WEEKLY", printed: "FREQ=WEEKLY"),
        .init(text: "FREQ=MONTHLY;BYDAY=2TH", printed: "FREQ=MONTHLY;BYDAY=2TH"),
        .init(text: "RRULE:FREQ=MONTHLY;BYDAY=-1FR", printed: "FREQ=MONTHLY;BYDAY=-1FR"),
        .init(text: "freq=monthly;byday=+2th;", printed: "FREQ=MONTHLY;BYDAY=2TH"),
        .init(
            text: "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;FREQ=MONTHLY",
            printed: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
        .init(
            text: "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;INTERVAL=1;WKST=MO",
            printed: "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU"),
        .init(
            text: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TU,TH;WKST=SU;COUNT=8",
            printed: "FREQ=WEEKLY;COUNT=8;INTERVAL=2;BYDAY=TU,TH;WKST=SU"),
        .init(
            text: "FREQ=MONTHLY;BYMONTHDAY=1,-1;UNTIL=20271231",
            printed: "FREQ=MONTHLY;UNTIL=20271231;BYMONTHDAY=1,-1"),
        .init(
            text: "FREQ=YEARLY;UNTIL=20300131T090005;BYMONTH=1;BYDAY=-1MO",
            printed: "FREQ=YEARLY;UNTIL=20300131T090005;BYMONTH=1;BYDAY=-1MO"),
        .init(text: "FREQ=YEARLY;BYDAY=20MO", printed: "FREQ=YEARLY;BYDAY=20MO"),
        .init(text: "FREQ=YEARLY;BYDAY=-53FR", printed: "FREQ=YEARLY;BYDAY=-53FR"),
    ]

    @Test(arguments: good) func parsesAndPrintsBack(_ example: Good) throws {
        let parsed = try rule(example.text)
        #expect(parsed.rfc5545 == example.printed)
        #expect(try rule(parsed.rfc5545) == parsed)
    }

    @Test func readsEveryPart() throws {
        let parsed = try rule("FREQ=YEARLY;INTERVAL=2;BYMONTH=6,7;BYMONTHDAY=-1;BYDAY=SA,-1FR;BYSETPOS=1,-1;COUNT=5")
        #expect(parsed.frequency == .yearly)
        #expect(parsed.interval == 2)
        #expect(parsed.byMonth == [6, 7])
        #expect(parsed.byMonthDay == [-1])
        #expect(parsed.byDay == [.init(.saturday), .init(.friday, ordinal: -1)])
        #expect(parsed.bySetPos == [1, -1])
        #expect(parsed.count == 5)
        #expect(parsed.until == nil)
        #expect(parsed.weekStart == .monday)
        let until = try rule("FREQ=WEEKLY;UNTIL=20271231T183000").until
        #expect(until == .dateTime(try dateTime("2027-12-31T18:30"), second: 0))
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let text: String
        let code: String
        /// The text at the expected offset (its first occurrence in `text`).
        let at: String
        var testDescription: String { "\(text) → \(code)" }
    }

    typealias Code = RecurrenceError.Code

    static let bad: [Bad] = [
        .init(text: "", code: Code.empty, at: ""),
        .init(text: "RRULE:", code: Code.empty, at: ""),
        .init(text: "BYDAY=MO", code: Code.missingFrequency, at: "BYDAY"),
        .init(text: "FREQ=WEEKLY; BYDAY=MO", code: Code.syntax, at: " BYDAY"),
        .init(text: "FREQ=DAILY", code: Code.unsupported, at: "DAILY"),
        .init(text: "FREQ=HOURLY", code: Code.unsupported, at: "HOURLY"),
        .init(text: "FREQ=FORTNIGHTLY", code: Code.badValue, at: "FORTNIGHTLY"),
        .init(text: "FREQ=WEEKLY;BYHOUR=9", code: Code.unsupported, at: "BYHOUR"),
        .init(text: "FREQ=WEEKLY;BYMINUTE=30", code: Code.unsupported, at: "BYMINUTE"),
        .init(text: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", code: Code.unsupported, at: "BYWEEKNO"),
        .init(text: "FREQ=YEARLY;BYYEARDAY=100", code: Code.unsupported, at: "BYYEARDAY"),
        .init(text: "RRULE:FREQ=WEEKLY;BYHOUR=9", code: Code.unsupported, at: "BYHOUR"),
        .init(text: "FREQ=WEEKLY;FOO=1", code: Code.unknownPart, at: "FOO"),
        .init(text: "FREQ=WEEKLY;BYDAY", code: Code.syntax, at: "BYDAY"),
        .init(text: "FREQ=WEEKLY;;BYDAY=MO", code: Code.syntax, at: ";BYDAY"),
        .init(text: "FREQ=WEEKLY;FREQ=MONTHLY", code: Code.duplicatePart, at: "FREQ=MONTHLY"),
        .init(text: "FREQ=WEEKLY;BYDAY=", code: Code.badValue, at: ""),
        .init(text: "FREQ=WEEKLY;BYDAY=MO,XX", code: Code.badValue, at: "XX"),
        .init(text: "FREQ=WEEKLY;BYDAY=MO,,TU", code: Code.badValue, at: ",TU"),
        .init(text: "FREQ=WEEKLY;BYDAY=MÅ", code: Code.badValue, at: "MÅ"),
        .init(text: "FREQ=WEEKLY;BYDAY=MO,2TH", code: Code.invalidCombination, at: "2TH"),
        .init(text: "FREQ=MONTHLY;BYDAY=6MO", code: Code.badValue, at: "6MO"),
        .init(text: "FREQ=YEARLY;BYMONTH=3;BYDAY=-6SU", code: Code.badValue, at: "-6SU"),
        .init(text: "FREQ=YEARLY;BYDAY=54MO", code: Code.badValue, at: "54MO"),
        .init(text: "FREQ=YEARLY;BYDAY=0MO", code: Code.badValue, at: "0MO"),
        .init(text: "FREQ=MONTHLY;BYMONTHDAY=0", code: Code.badValue, at: "0"),
        .init(text: "FREQ=MONTHLY;BYMONTHDAY=32", code: Code.badValue, at: "32"),
        .init(text: "FREQ=MONTHLY;BYMONTHDAY=1,-32", code: Code.badValue, at: "-32"),
        .init(text: "FREQ=WEEKLY;BYMONTHDAY=1", code: Code.invalidCombination, at: "BYMONTHDAY"),
        .init(text: "FREQ=YEARLY;BYMONTH=13", code: Code.badValue, at: "13"),
        .init(text: "FREQ=WEEKLY;INTERVAL=0", code: Code.badValue, at: "0"),
        .init(text: "FREQ=WEEKLY;INTERVAL=x", code: Code.badValue, at: "x"),
        .init(text: "FREQ=WEEKLY;COUNT=0", code: Code.badValue, at: "0"),
        .init(text: "FREQ=WEEKLY;COUNT=5;UNTIL=20271231", code: Code.countAndUntil, at: "UNTIL"),
        .init(text: "UNTIL=20271231;FREQ=WEEKLY;COUNT=5", code: Code.countAndUntil, at: "COUNT"),
        .init(text: "FREQ=WEEKLY;UNTIL=20271231T120000Z", code: Code.unsupported, at: "2027"),
        .init(text: "FREQ=WEEKLY;UNTIL=20270231", code: Code.badValue, at: "2027"),
        .init(text: "FREQ=WEEKLY;UNTIL=2027-12-31", code: Code.badValue, at: "2027"),
        .init(text: "FREQ=WEEKLY;UNTIL=20271231T250000", code: Code.badValue, at: "2027"),
        .init(text: "FREQ=MONTHLY;BYSETPOS=-1", code: Code.invalidCombination, at: "BYSETPOS"),
        .init(text: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", code: Code.badValue, at: "0"),
        .init(text: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", code: Code.badValue, at: "367"),
        .init(text: "FREQ=WEEKLY;WKST=XX", code: Code.badValue, at: "XX"),
    ]

    @Test(arguments: bad) func refusesWithCodeAndOffset(_ example: Bad) throws {
        guard case .failure(let error) = RecurrenceRule.parse(example.text) else {
            Issue.record("\(example.text) parsed, expected \(example.code)")
            return
        }
        let chars = Array(example.text)
        let marker = Array(example.at)
        let found = (0...(chars.count - marker.count)).first { Array(chars[$0..<($0 + marker.count)]) == marker }
        let expected =
            marker.isEmpty
            ? (example.text.hasSuffix("=") || example.text.hasSuffix(":") ? chars.count : 0) : try #require(found)
        #expect(error.code == example.code, "\(error)")
        #expect(error.offset == expected, "\(error)")
        #expect(error.message.count > 20)
    }

    @Test func messagesSayWhatToDo() {
        func message(_ text: String) -> String {
            if case .failure(let error) = RecurrenceRule.parse(text) { return error.message }
            return ""
        }
        #expect(message("FREQ=DAILY").contains("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"))
        #expect(message("FREQ=WEEKLY;BYHOUR=9").contains("DTSTART"))
        #expect(message("FREQ=WEEKLY;UNTIL=20271231T120000Z").contains("20271231T120000"))
        #expect(message("FREQ=WEEKLY;BYDAY=2TH").contains("FREQ=MONTHLY"))
        #expect(message("FREQ=WEEKLY;COUNT=5;UNTIL=20271231").contains("keep one"))
    }
}

// MARK: - RFC 5545 section 3.8.5.3

/// The examples of RFC 5545 section 3.8.5.3 that fall in Kallad's subset. The RFC's DTSTARTs are 09:00 in
/// America/New_York and its UNTILs are in UTC; here the times are floating and each UTC UNTIL is written as the
/// same moment in New York local time (`19971224T000000Z` is `19971223T190000`).
struct RecurrenceRFCExampleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let name: String
        let rule: String
        let start: String
        let through: String
        let expected: [String]
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        .init(
            name: "weekly for 10 occurrences", rule: "FREQ=WEEKLY;COUNT=10", start: "1997-09-02",
            through: "1999-12-31",
            expected: [
                "1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-10-07",
                "1997-10-14", "1997-10-21", "1997-10-28", "1997-11-04",
            ]),
        .init(
            name: "weekly until December 24, 1997", rule: "FREQ=WEEKLY;UNTIL=19971223T190000",
            start: "1997-09-02", through: "1999-12-31",
            expected: [
                "1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-10-07",
                "1997-10-14", "1997-10-21", "1997-10-28", "1997-11-04", "1997-11-11", "1997-11-18",
                "1997-11-25", "1997-12-02", "1997-12-09", "1997-12-16", "1997-12-23",
            ]),
        .init(
            name: "every other week", rule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU", start: "1997-09-02",
            through: "1998-02-17",
            expected: [
                "1997-09-02", "1997-09-16", "1997-09-30", "1997-10-14", "1997-10-28", "1997-11-11",
                "1997-11-25", "1997-12-09", "1997-12-23", "1998-01-06", "1998-01-20", "1998-02-03",
                "1998-02-17",
            ]),
        .init(
            name: "weekly on Tuesday and Thursday for five weeks", rule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
            start: "1997-09-02", through: "1999-12-31",
            expected: [
                "1997-09-02", "1997-09-04", "1997-09-09", "1997-09-11", "1997-09-16", "1997-09-18",
                "1997-09-23", "1997-09-25", "1997-09-30", "1997-10-02",
            ]),
        .init(
            name: "every other week on Monday, Wednesday and Friday until December 24, 1997",
            rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971223T190000;WKST=SU;BYDAY=MO,WE,FR",
            start: "1997-09-01", through: "1999-12-31",
            expected: [
                "1997-09-01", "1997-09-03", "1997-09-05", "1997-09-15", "1997-09-17", "1997-09-19",
                "1997-09-29", "1997-10-01", "1997-10-03", "1997-10-13", "1997-10-15", "1997-10-17",
                "1997-10-27", "1997-10-29", "1997-10-31", "1997-11-10", "1997-11-12", "1997-11-14",
                "1997-11-24", "1997-11-26", "1997-11-28", "1997-12-08", "1997-12-10", "1997-12-12",
                "1997-12-22",
            ]),
        .init(
            name: "every other week on Tuesday and Thursday, for 8 occurrences",
            rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", start: "1997-09-02", through: "1999-12-31",
            expected: [
                "1997-09-02", "1997-09-04", "1997-09-16", "1997-09-18", "1997-09-30", "1997-10-02",
                "1997-10-14", "1997-10-16",
            ]),
        .init(
            name: "monthly on the first Friday for 10 occurrences", rule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
            start: "1997-09-05", through: "1999-12-31",
            expected: [
                "1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05", "1998-01-02", "1998-02-06",
                "1998-03-06", "1998-04-03", "1998-05-01", "1998-06-05",
            ]),
        .init(
            name: "monthly on the first Friday until December 24, 1997",
            rule: "FREQ=MONTHLY;UNTIL=19971223T190000;BYDAY=1FR", start: "1997-09-05", through: "1999-12-31",
            expected: ["1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05"]),
        .init(
            name: "every other month on the first and last Sunday, for 10 occurrences",
            rule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", start: "1997-09-07", through: "1999-12-31",
            expected: [
                "1997-09-07", "1997-09-28", "1997-11-02", "1997-11-30", "1998-01-04", "1998-01-25",
                "1998-03-01", "1998-03-29", "1998-05-03", "1998-05-31",
            ]),
        .init(
            name: "monthly on the second-to-last Monday for 6 months", rule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
            start: "1997-09-22", through: "1999-12-31",
            expected: ["1997-09-22", "1997-10-20", "1997-11-17", "1997-12-22", "1998-01-19", "1998-02-16"]),
        .init(
            name: "monthly on the third-to-the-last day", rule: "FREQ=MONTHLY;BYMONTHDAY=-3", start: "1997-09-28",
            through: "1998-02-28",
            expected: ["1997-09-28", "1997-10-29", "1997-11-28", "1997-12-29", "1998-01-29", "1998-02-26"]),
        .init(
            name: "monthly on the 2nd and 15th for 10 occurrences", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
            start: "1997-09-02", through: "1999-12-31",
            expected: [
                "1997-09-02", "1997-09-15", "1997-10-02", "1997-10-15", "1997-11-02", "1997-11-15",
                "1997-12-02", "1997-12-15", "1998-01-02", "1998-01-15",
            ]),
        .init(
            name: "monthly on the first and last day for 10 occurrences",
            rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", start: "1997-09-30", through: "1999-12-31",
            expected: [
                "1997-09-30", "1997-10-01", "1997-10-31", "1997-11-01", "1997-11-30", "1997-12-01",
                "1997-12-31", "1998-01-01", "1998-01-31", "1998-02-01",
            ]),
        .init(
            name: "every 18 months on the 10th through 15th, for 10 occurrences",
            rule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15", start: "1997-09-10",
            through: "2001-12-31",
            expected: [
                "1997-09-10", "1997-09-11", "1997-09-12", "1997-09-13", "1997-09-14", "1997-09-15",
                "1999-03-10", "1999-03-11", "1999-03-12", "1999-03-13",
            ]),
        .init(
            name: "every Tuesday, every other month", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", start: "1997-09-02",
            through: "1998-03-31",
            expected: [
                "1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-11-04",
                "1997-11-11", "1997-11-18", "1997-11-25", "1998-01-06", "1998-01-13", "1998-01-20",
                "1998-01-27", "1998-03-03", "1998-03-10", "1998-03-17", "1998-03-24", "1998-03-31",
            ]),
        .init(
            name: "yearly in June and July for 10 occurrences", rule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
            start: "1997-06-10", through: "2005-12-31",
            expected: [
                "1997-06-10", "1997-07-10", "1998-06-10", "1998-07-10", "1999-06-10", "1999-07-10",
                "2000-06-10", "2000-07-10", "2001-06-10", "2001-07-10",
            ]),
        .init(
            name: "every other year on January, February and March for 10 occurrences",
            rule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", start: "1997-03-10", through: "2005-12-31",
            expected: [
                "1997-03-10", "1999-01-10", "1999-02-10", "1999-03-10", "2001-01-10", "2001-02-10",
                "2001-03-10", "2003-01-10", "2003-02-10", "2003-03-10",
            ]),
        .init(
            name: "every 20th Monday of the year", rule: "FREQ=YEARLY;BYDAY=20MO", start: "1997-05-19",
            through: "1999-12-31", expected: ["1997-05-19", "1998-05-18", "1999-05-17"]),
        .init(
            name: "every Thursday in March", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", start: "1997-03-13",
            through: "1999-12-31",
            expected: [
                "1997-03-13", "1997-03-20", "1997-03-27", "1998-03-05", "1998-03-12", "1998-03-19",
                "1998-03-26", "1999-03-04", "1999-03-11", "1999-03-18", "1999-03-25",
            ]),
        .init(
            name: "every Thursday, but only during June, July and August", rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
            start: "1997-06-05", through: "1997-12-31",
            expected: [
                "1997-06-05", "1997-06-12", "1997-06-19", "1997-06-26", "1997-07-03", "1997-07-10",
                "1997-07-17", "1997-07-24", "1997-07-31", "1997-08-07", "1997-08-14", "1997-08-21",
                "1997-08-28",
            ]),
        .init(
            name: "every Friday the 13th (from the first one: the RFC's DTSTART is off the rule)",
            rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", start: "1998-02-13", through: "2000-12-31",
            expected: ["1998-02-13", "1998-03-13", "1998-11-13", "1999-08-13", "2000-10-13"]),
        .init(
            name: "the first Saturday that follows the first Sunday of the month",
            rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", start: "1997-09-13", through: "1998-06-30",
            expected: [
                "1997-09-13", "1997-10-11", "1997-11-08", "1997-12-13", "1998-01-10", "1998-02-07",
                "1998-03-07", "1998-04-11", "1998-05-09", "1998-06-13",
            ]),
        .init(
            name: "every 4 years, the first Tuesday after a Monday in November",
            rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", start: "1996-11-05",
            through: "2004-12-31", expected: ["1996-11-05", "2000-11-07", "2004-11-02"]),
        .init(
            name: "the third instance of Tuesday, Wednesday or Thursday, for the next 3 months",
            rule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", start: "1997-09-04", through: "1999-12-31",
            expected: ["1997-09-04", "1997-10-07", "1997-11-06"]),
        .init(
            name: "the second-to-last weekday of the month", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
            start: "1997-09-29", through: "1998-03-31",
            expected: [
                "1997-09-29", "1997-10-30", "1997-11-27", "1997-12-30", "1998-01-29", "1998-02-26",
                "1998-03-30",
            ]),
        .init(
            name: "WKST makes a difference (MO)", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
            start: "1997-08-05", through: "1999-12-31",
            expected: ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"]),
        .init(
            name: "WKST makes a difference (SU)", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            start: "1997-08-05", through: "1999-12-31",
            expected: ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"]),
        .init(
            name: "an invalid date (February 30) is ignored", rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
            start: "2007-01-15", through: "2009-12-31",
            expected: ["2007-01-15", "2007-01-30", "2007-02-15", "2007-03-15", "2007-03-30"]),
    ]

    @Test(arguments: examples) func expandsAsTheRFCSays(_ example: Example) throws {
        #expect(try expand(example.rule, from: example.start, through: example.through) == example.expected)
    }

    @Test func everyDayInJanuaryForThreeYears() throws {
        let days = try expand(
            "FREQ=YEARLY;UNTIL=20000131T090000;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", from: "1998-01-01",
            through: "2001-12-31")
        #expect(days.count == 93)
        #expect(days.first == "1998-01-01")
        #expect(days.last == "2000-01-31")
        #expect(days.allSatisfy { $0.dropFirst(5).hasPrefix("01-") })
    }

    @Test func theRFCsFridayThe13thDTSTARTIsRefused() throws {
        // RFC 5545 starts this example on 1997-09-02 and removes that date with EXDATE; Kallad refuses it instead.
        let set = RecurrenceSet(
            start: try dateTime("1997-09-02"), rule: try rule("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"),
            exdates: [try dateTime("1997-09-02")])
        let error = try #require(set.validate())
        #expect(error.code == RecurrenceError.Code.startNotOnRule)
        #expect(error.message.contains("the first occurrence would be 1998-02-13"))
    }
}

// MARK: - Kallad's rules

struct RecurrenceSetTests {
    @Test func lastWorkingWeekdayOfTheMonth() throws {
        let days = try expand(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", from: "2027-01-29", through: "2027-12-31")
        #expect(
            days == [
                "2027-01-29", "2027-02-26", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30",
                "2027-07-30", "2027-08-31", "2027-09-30", "2027-10-29", "2027-11-30", "2027-12-31",
            ])
    }

    @Test func negativeMonthDays() throws {
        #expect(
            try expand("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=14", from: "2027-01-31", through: "2029-12-31") == [
                "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31",
                "2027-08-31", "2027-09-30", "2027-10-31", "2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29",
            ])
        // -31 exists only in months of 31 days.
        #expect(
            try expand("FREQ=MONTHLY;BYMONTHDAY=-31;COUNT=8", from: "2027-01-01", through: "2029-12-31") == [
                "2027-01-01", "2027-03-01", "2027-05-01", "2027-07-01", "2027-08-01", "2027-10-01", "2027-12-01",
                "2028-01-01",
            ])
    }

    @Test func daysThatSomeMonthsOrYearsLackAreSkipped() throws {
        #expect(
            try expand("FREQ=MONTHLY;COUNT=7", from: "2027-01-31", through: "2029-12-31") == [
                "2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31", "2027-08-31", "2027-10-31", "2027-12-31",
            ])
        #expect(
            try expand("FREQ=YEARLY;COUNT=3", from: "2028-02-29", through: "2040-12-31")
                == ["2028-02-29", "2032-02-29", "2036-02-29"])
    }

    @Test func everyOtherWeek() throws {
        #expect(
            try expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", from: "2027-01-05", through: "2027-03-16") == [
                "2027-01-05", "2027-01-19", "2027-02-02", "2027-02-16", "2027-03-02", "2027-03-16",
            ])
        // From a window that starts later, the weeks still count from DTSTART's.
        let set = RecurrenceSet(start: try dateTime("2027-01-05"), rule: try rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"))
        let later = set.occurrences(from: try date("2027-06-01"), through: try date("2027-06-30")).map { "\($0.date)" }
        #expect(later == ["2027-06-08", "2027-06-22"])
    }

    @Test func ordinalsCountInTheMonthOrTheYear() throws {
        #expect(
            try expand("FREQ=YEARLY;BYDAY=1MO", from: "2027-01-04", through: "2028-12-31")
                == ["2027-01-04", "2028-01-03"])
        #expect(
            try expand("FREQ=YEARLY;BYDAY=-1FR", from: "2027-12-31", through: "2028-12-31")
                == ["2027-12-31", "2028-12-29"])
        #expect(
            try expand("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", from: "2027-03-28", through: "2028-12-31")
                == ["2027-03-28", "2027-10-31", "2028-03-26", "2028-10-29"])
        #expect(
            try expand("FREQ=MONTHLY;BYDAY=5FR;COUNT=3", from: "2027-01-29", through: "2028-12-31")
                == ["2027-01-29", "2027-04-30", "2027-07-30"])
    }

    @Test func weekdaysWithAndWithoutOrdinalsAreEitherOr() throws {
        // RFC 5545: every Monday, and the last Wednesday. (python-dateutil returns the days that are both, none.)
        #expect(
            try expand("FREQ=MONTHLY;BYDAY=MO,-1WE", from: "2027-01-04", through: "2027-02-28") == [
                "2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25", "2027-01-27",
                "2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22", "2027-02-24",
            ])
    }

    @Test func weeklySetPositionsPickFromTheWholeWeek() throws {
        // RFC 5545 applies BYSETPOS to the whole week, DTSTART's included (python-dateutil starts that week at
        // DTSTART: dateutil issue #1398).
        let text = "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=2"
        #expect(
            try expand(text, from: "2027-01-06", through: "2027-01-20")
                == ["2027-01-06", "2027-01-13", "2027-01-20"])
        let friday = RecurrenceSet(start: try dateTime("2027-01-08"), rule: try rule(text))
        #expect(friday.validate()?.message.contains("the first occurrence would be 2027-01-13") == true)
    }

    @Test func countIsCountedFromDTSTART() throws {
        let set = RecurrenceSet(start: try dateTime("2027-01-05T18:00"), rule: try rule("FREQ=WEEKLY;COUNT=5"))
        let all = set.occurrences(from: try date("2020-01-01"), through: try date("2030-12-31"))
        #expect(
            all.map(\.description) == [
                "2027-01-05T18:00", "2027-01-12T18:00", "2027-01-19T18:00",
                "2027-01-26T18:00", "2027-02-02T18:00",
            ])
        let tail = set.occurrences(from: try date("2027-01-20"), through: try date("2030-12-31"))
        #expect(tail.map(\.description) == ["2027-01-26T18:00", "2027-02-02T18:00"])
        // An EXDATE still uses up one of the COUNT.
        var excluded = set
        excluded.exdates = [try dateTime("2027-01-12T18:00")]
        #expect(excluded.occurrences(from: try date("2027-01-01"), through: try date("2030-12-31")).count == 4)
    }

    @Test func untilIsInclusive() throws {
        let start = try dateTime("2027-01-05T09:00")
        func days(_ text: String) throws -> [String] {
            let set = RecurrenceSet(start: start, rule: try rule(text))
            #expect(set.validate() == nil)
            return set.occurrences(from: start.date, through: try date("2030-12-31")).map { "\($0.date)" }
        }
        #expect(try days("FREQ=WEEKLY;UNTIL=20270119T090000") == ["2027-01-05", "2027-01-12", "2027-01-19"])
        #expect(try days("FREQ=WEEKLY;UNTIL=20270119T085959") == ["2027-01-05", "2027-01-12"])
        #expect(try days("FREQ=WEEKLY;UNTIL=20270119") == ["2027-01-05", "2027-01-12", "2027-01-19"])
        #expect(try days("FREQ=WEEKLY;COUNT=3") == ["2027-01-05", "2027-01-12", "2027-01-19"])
        let early = RecurrenceSet(start: start, rule: try rule("FREQ=WEEKLY;UNTIL=20270105T085900"))
        #expect(early.validate()?.code == RecurrenceError.Code.untilBeforeStart)
    }

    @Test func exdatesAndRdates() throws {
        let set = RecurrenceSet(
            start: try dateTime("2027-01-14T18:30"), rule: try rule("FREQ=MONTHLY;BYDAY=2TH"),
            rdates: [try dateTime("2027-03-01T09:00"), try dateTime("2027-04-08T18:30"), try dateTime("2028-01-01")],
            exdates: [try dateTime("2027-02-11T18:30"), try dateTime("2027-05-13T09:00")])
        let got = set.occurrences(from: try date("2027-01-01"), through: try date("2027-05-31")).map(\.description)
        // The RDATE on 8 April is an occurrence already; the EXDATE at 09:00 on 13 May matches nothing.
        #expect(
            got == [
                "2027-01-14T18:30", "2027-03-01T09:00", "2027-03-11T18:30", "2027-04-08T18:30",
                "2027-05-13T18:30",
            ])
        #expect(set.unmatchedExdates() == [try dateTime("2027-05-13T09:00")])
    }

    @Test func anExdateCanRemoveDTSTART() throws {
        let start = try dateTime("2027-01-04")
        let set = RecurrenceSet(start: start, rule: try rule("FREQ=WEEKLY;COUNT=2"), exdates: [start])
        #expect(
            set.occurrences(from: start.date, through: try date("2027-12-31")).map { "\($0.date)" }
                == ["2027-01-11"])
    }

    @Test func aSetWithoutARuleIsDTSTARTAndTheRdates() throws {
        let set = RecurrenceSet(
            start: try dateTime("2027-05-03T17:00"), rule: nil,
            rdates: [try dateTime("2027-04-01T17:00"), try dateTime("2027-05-03T17:00"), try dateTime("2029-01-01")])
        #expect(set.validate() == nil)
        #expect(
            set.occurrences(from: try date("2027-01-01"), through: try date("2027-12-31")).map(\.description)
                == ["2027-04-01T17:00", "2027-05-03T17:00"])
    }

    @Test func dtstartNotOnTheRuleIsRefused() throws {
        let set = RecurrenceSet(
            start: try dateTime("2027-01-01T10:00"), rule: try rule("FREQ=MONTHLY;BYDAY=2TU;COUNT=4"))
        let error = try #require(set.validate())
        #expect(error.code == RecurrenceError.Code.startNotOnRule)
        #expect(error.offset == nil)
        #expect(
            error.message.contains(
                "DTSTART 2027-01-01 is not on the rule; the first occurrence would be 2027-01-12"))
        let fixed = RecurrenceSet(start: try dateTime("2027-01-12T10:00"), rule: set.rule)
        #expect(fixed.validate() == nil)
        #expect(set.rule?.firstOccurrence(onOrAfter: set.start) == fixed.start)
    }

    @Test(arguments: [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11;COUNT=10",
        "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2,3",
    ])
    func aRuleThatNeverMatchesEnds(_ text: String) throws {
        // From 2027 every fourth year is a common year, so INTERVAL=4 never reaches a 29 February.
        let set = RecurrenceSet(start: try dateTime("2027-01-01"), rule: try rule(text))
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let error = try #require(set.validate())
            #expect(error.code == RecurrenceError.Code.noOccurrences)
            #expect(set.rule?.firstOccurrence(onOrAfter: set.start) == nil)
            #expect(set.occurrences(from: try date("2027-01-01"), through: try date("9999-12-31")).isEmpty)
        }
        #expect(elapsed < .seconds(2))
    }

    @Test func everyOccurrenceHasTheTimeOfDTSTART() throws {
        let set = RecurrenceSet(start: try dateTime("2027-03-01T07:45"), rule: try rule("FREQ=WEEKLY;BYDAY=MO,TH"))
        let all = set.occurrences(from: try date("2027-03-01"), through: try date("2027-12-31"))
        #expect(all.count == 88)
        #expect(all.allSatisfy { $0.time == set.start.time })
    }

    @Test func tenThousandSetsOverAYearAreQuick() throws {
        // The planner's benchmark expands ~10,000 bodies over a year within 1 s in a release build (~50 ms
        // measured); this debug-build bound only catches a slowdown of an order of magnitude.
        let texts = [
            "FREQ=WEEKLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=2TH", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "FREQ=YEARLY;BYMONTH=3,9;BYDAY=-1FR",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=500",
        ]
        let rules = try texts.map(rule)
        let first = try date("2024-01-01")
        let sets = try (0..<10_000).map { i in
            let rule = rules[i % rules.count]
            let anchor = LocalDateTime(first.adding(days: i % 700), LocalTime(hour: 8 + i % 12, minute: 0)!)
            return RecurrenceSet(start: try #require(rule.firstOccurrence(onOrAfter: anchor)), rule: rule)
        }
        let from = try date("2027-01-01")
        let through = try date("2027-12-31")
        var total = 0
        let elapsed = ContinuousClock().measure {
            for set in sets { total += set.occurrences(from: from, through: through).count }
        }
        #expect(total > 100_000)
        #expect(elapsed < .seconds(8), "10,000 sets over a year took \(elapsed)")
    }
}

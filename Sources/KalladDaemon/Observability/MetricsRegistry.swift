import Foundation
import Synchronization

/// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text format
/// (version 0.0.4) for `GET /metrics`. Thread-safe; a metric is declared once and then updated by name.
public final class MetricsRegistry: Sendable {
    /// Counter, gauge or histogram.
    public enum Kind: String, Sendable {
        /// Only goes up.
        case counter
        /// Any value.
        case gauge
        /// Observations in cumulative buckets, with their sum and count.
        case histogram
    }

    struct Family {
        var kind: Kind
        var help: String
        var buckets: [Double]
        var series: [[String: String]: Series] = [:]
    }

    struct Series {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
        /// Increments counted without the registry's lock (`counter(_:labels:)`), added to `value` when read.
        var counted: CounterSeries?

        var total: Double { value + Double(counted?.count ?? 0) }
    }

    private let families = Mutex<[String: Family]>([:])

    /// An empty registry.
    public init() {}

    /// Declares a metric (a second declaration of the same name is ignored). Histograms get `buckets` as upper
    /// bounds; `+Inf` is implied.
    public func declare(_ name: String, _ kind: Kind, help: String, buckets: [Double] = MetricsRegistry.latencyBuckets)
    {
        families.withLock { families in
            if families[name] == nil {
                families[name] = Family(kind: kind, help: help, buckets: kind == .histogram ? buckets.sorted() : [])
            }
        }
    }

    /// Adds to a counter (or gauge).
    public func increment(_ name: String, labels: [String: String] = [:], by amount: Double = 1) {
        families.withLock { families in
            families[name]?.series[labels, default: Series()].value += amount
        }
    }

    /// One series of a counter, for a hot path: incrementing it takes no lock and hashes no labels. A name never
    /// declared gives a series that is counted but never shown, as `increment` ignores it.
    public func counter(_ name: String, labels: [String: String] = [:]) -> CounterSeries {
        families.withLock { families in
            if let counted = families[name]?.series[labels]?.counted { return counted }
            let counted = CounterSeries()
            families[name]?.series[labels, default: Series()].counted = counted
            return counted
        }
    }

    /// Sets a gauge.
    public func set(_ name: String, labels: [String: String] = [:], to value: Double) {
        families.withLock { families in
            families[name]?.series[labels, default: Series()].value = value
        }
    }

    /// Records one observation in a histogram.
    public func observe(_ name: String, labels: [String: String] = [:], _ value: Double) {
        families.withLock { families in
            guard let buckets = families[name]?.buckets else { return }
            var series =
                families[name]?.series[labels] ?? Series(bucketCounts: Array(repeating: 0, count: buckets.count))
            for (index, bound) in buckets.enumerated() where value <= bound { series.bucketCounts[index] += 1 }
            series.value += value
            series.count += 1
            families[name]?.series[labels] = series
        }
    }

    /// The current value of a counter or gauge series (0 when never set), for tests and `STATUS=`.
    public func value(_ name: String, labels: [String: String] = [:]) -> Double {
        families.withLock { $0[name]?.series[labels]?.total ?? 0 }
    }

    /// The Prometheus text exposition of every metric, sorted by name and labels.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            let ordered = family.series.keys.sorted { Self.labelText($0) < Self.labelText($1) }
            for labels in ordered {
                guard let series = family.series[labels] else { continue }
                switch family.kind {
                case .counter, .gauge:
                    out += "\(name)\(Self.labelText(labels)) \(Self.number(series.total))\n"
                case .histogram:
                    for (index, bound) in family.buckets.enumerated() {
                        var withBound = labels
                        withBound["le"] = Self.number(bound)
                        out += "\(name)_bucket\(Self.labelText(withBound)) \(series.bucketCounts[index])\n"
                    }
                    var infinite = labels
                    infinite["le"] = "+Inf"
                    out += "\(name)_bucket\(Self.labelText(infinite)) \(series.count)\n"
                    out += "\(name)_sum\(Self.labelText(labels)) \(Self.number(series.value))\n"
                    out += "\(name)_count\(Self.labelText(labels)) \(series.count)\n"
                }
            }
        }
        return out
    }

    /// Seconds from 1 ms to 30 s.
    public static let latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let parts = labels.keys.sorted().map { key in "\(key)=\"\(escapeLabel(labels[key] ?? ""))\"" }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func escapeLabel(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

/// A counter's series as `MetricsRegistry.counter` hands it out.
public final class CounterSeries: Sendable {
    private let counter = Atomic<Int>(0)

    /// Adds one.
    public func increment() { counter.add(1, ordering: .relaxed) }

    /// Increments so far.
    var count: Int { counter.load(ordering: .relaxed) }
}

/// The metric names Kallad exposes, in the style of Alertmanager's (`<app>_<noun>_<unit>[_total]`).
public enum KalladMetrics {
    /// Notifications the planner found due and not yet delivered (gauge).
    public static let notificationsDue = "kallad_notifications_due"
    /// Deliveries finished, by channel and outcome (counter).
    public static let deliveries = "kallad_deliveries_total"
    /// Time from claim to the server's answer (histogram).
    public static let deliveryDuration = "kallad_delivery_duration_seconds"
    /// Planner tick duration (histogram).
    public static let plannerTickDuration = "kallad_planner_tick_duration_seconds"
    /// 1 when the last configuration (re)load succeeded (gauge).
    public static let configReloadSuccessful = "kallad_config_last_reload_successful"
    /// When the configuration was last loaded successfully (gauge, Unix seconds).
    public static let configReloadTimestamp = "kallad_config_last_reload_success_timestamp_seconds"
    /// Triggers received, by system, type and outcome (counter).
    public static let triggers = "kallad_triggers_total"
    /// HTTP requests, by route and status code (counter).
    public static let httpRequests = "kallad_http_requests_total"

    /// A registry with every Kallad metric declared.
    public static func registry() -> MetricsRegistry {
        let registry = MetricsRegistry()
        registry.declare(notificationsDue, .gauge, help: "Notifications due and not yet delivered.")
        registry.declare(deliveries, .counter, help: "Deliveries finished, by channel and outcome.")
        registry.declare(deliveryDuration, .histogram, help: "Seconds from claiming a delivery to the server's answer.")
        registry.declare(plannerTickDuration, .histogram, help: "Seconds one planner tick took.")
        registry.declare(configReloadSuccessful, .gauge, help: "Whether the last configuration reload succeeded.")
        registry.declare(configReloadTimestamp, .gauge, help: "Timestamp of the last successful configuration reload.")
        registry.declare(triggers, .counter, help: "Triggers received, by system, type and outcome.")
        registry.declare(httpRequests, .counter, help: "HTTP requests answered, by route and status code.")
        return registry
    }
}

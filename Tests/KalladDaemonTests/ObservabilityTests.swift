import Foundation
import Logging
import Testing

@testable import KalladDaemon

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Logs, metrics and sd_notify")
struct ObservabilityTests {
    @Test("logfmt: one line per event, dotted metadata keys, quoting, secrets redacted, level respected")
    func logfmt() {
        let capture = LogCapture()
        var logger = Logger(label: "kallad") { label in
            LogfmtHandler(label: label, level: .info, sink: { capture.append($0) }, clock: { 1_795_424_400.25 })
        }
        logger[metadataKey: "config"] = ["dir": "/etc/kallad"]
        logger.debug("not written")
        logger.info(
            "trigger accepted",
            metadata: [
                "meeting.id": "lsg/2027-02-11", "note": "two words \"quoted\"\nnext", "webhook.secret": "whsec_abc",
                "payload": "{\"title\":\"x\"}",
            ])
        #expect(capture.all.count == 1)
        let line = capture.all.first ?? ""
        #expect(line.hasPrefix("ts=2026-11-23T09:00:00.250Z level=info msg=\"trigger accepted\" logger=kallad "))
        #expect(line.contains("config.dir=/etc/kallad"))
        #expect(line.contains("meeting.id=lsg/2027-02-11"))
        #expect(line.contains("note=\"two words \\\"quoted\\\"\\nnext\""))
        #expect(line.contains("webhook.secret=[redacted]"))
        #expect(line.contains("payload=[redacted]"))
        #expect(!line.contains("whsec_abc"))
        #expect(!line.contains("\n"))
    }

    @Test("logfmt timestamps: RFC 3339 UTC with milliseconds, zero-padded, across eras")
    func logfmtTimestamps() {
        #expect(LogfmtHandler.timestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(LogfmtHandler.timestamp(951_782_400.5) == "2000-02-29T00:00:00.500Z")
        #expect(LogfmtHandler.timestamp(1_795_424_399.007_5) == "2026-11-23T08:59:59.007Z")
        #expect(LogfmtHandler.timestamp(-1) == "1969-12-31T23:59:59.000Z")
        #expect(LogfmtHandler.timestamp(253_402_300_800) == "10000-01-01T00:00:00.000Z")
    }

    @Test("a shared level control changes every logger at once")
    func levelControl() {
        let capture = LogCapture()
        let control = LogLevelControl(.warning)
        let logger = Logger(label: "k") { LogfmtHandler(label: $0, control: control, sink: { capture.append($0) }) }
        logger.info("hidden")
        control.level = .debug
        logger.debug("shown")
        #expect(capture.all.count == 1)
        #expect(capture.all.first?.contains("msg=shown") == true)
    }

    @Test("the Prometheus text format: help, type, labels sorted and escaped, cumulative histogram buckets")
    func metrics() {
        let registry = KalladMetrics.registry()
        registry.increment(KalladMetrics.deliveries, labels: ["channel": "email", "outcome": "delivered"])
        registry.increment(KalladMetrics.deliveries, labels: ["channel": "email", "outcome": "delivered"])
        registry.increment(KalladMetrics.deliveries, labels: ["outcome": "failed", "channel": "hook \"a\""])
        registry.set(KalladMetrics.notificationsDue, to: 12)
        registry.observe(KalladMetrics.deliveryDuration, labels: ["channel": "email"], 0.003)
        registry.observe(KalladMetrics.deliveryDuration, labels: ["channel": "email"], 2)
        let text = registry.render()
        #expect(text.contains("# TYPE kallad_deliveries_total counter\n"))
        #expect(text.contains("kallad_deliveries_total{channel=\"email\",outcome=\"delivered\"} 2\n"))
        #expect(text.contains("kallad_deliveries_total{channel=\"hook \\\"a\\\"\",outcome=\"failed\"} 1\n"))
        #expect(text.contains("kallad_notifications_due 12\n"))
        #expect(text.contains("kallad_delivery_duration_seconds_bucket{channel=\"email\",le=\"0.001\"} 0\n"))
        #expect(text.contains("kallad_delivery_duration_seconds_bucket{channel=\"email\",le=\"0.005\"} 1\n"))
        #expect(text.contains("kallad_delivery_duration_seconds_bucket{channel=\"email\",le=\"+Inf\"} 2\n"))
        #expect(text.contains("kallad_delivery_duration_seconds_sum{channel=\"email\"} 2.003\n"))
        #expect(text.contains("kallad_delivery_duration_seconds_count{channel=\"email\"} 2\n"))
        #expect(text.contains("# HELP kallad_config_last_reload_successful "))
    }

    @Test("a counter series handed out once counts with increments by name, in the same series")
    func counterSeries() {
        let registry = KalladMetrics.registry()
        let labels = ["route": "/v1/triggers", "code": "202"]
        let series = registry.counter(KalladMetrics.httpRequests, labels: labels)
        #expect(registry.counter(KalladMetrics.httpRequests, labels: labels) === series)
        series.increment()
        series.increment()
        registry.increment(KalladMetrics.httpRequests, labels: labels)
        #expect(registry.value(KalladMetrics.httpRequests, labels: labels) == 3)
        #expect(registry.render().contains("kallad_http_requests_total{code=\"202\",route=\"/v1/triggers\"} 3\n"))
        // A name never declared: counted, never shown, as `increment` ignores it.
        registry.counter("kallad_not_declared").increment()
        #expect(!registry.render().contains("kallad_not_declared"))
    }

    /// A datagram socket bound at `path` (a leading `@`: abstract); returns its descriptor.
    func listen(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { for (i, b) in bytes.enumerated() { $0[i] = b } }
        let length = MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    func receive(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    @Test("sd_notify reaches a socket by path and in the abstract namespace, one datagram per state")
    func notify() {
        let path = NSTemporaryDirectory() + "kallad-notify-\(getpid()).sock"
        unlink(path)
        let fd = listen(path)
        defer {
            close(fd)
            unlink(path)
        }
        let notifier = SystemdNotifier(socketPath: path)
        notifier.ready(status: "listening")
        notifier.reloading()
        notifier.watchdog()
        notifier.stopping()
        notifier.status("two\nlines")
        #expect(receive(fd) == "READY=1\nSTATUS=listening")
        #expect(receive(fd).hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(receive(fd) == "WATCHDOG=1")
        #expect(receive(fd) == "STOPPING=1")
        #expect(receive(fd) == "STATUS=two lines")

        let abstractName = "@kallad-test-\(getpid())"
        let abstractFD = listen(abstractName)
        defer { close(abstractFD) }
        #expect(SystemdNotifier(socketPath: abstractName).send(["READY=1"]))
        #expect(receive(abstractFD) == "READY=1")
        #expect(!SystemdNotifier(socketPath: nil).send(["READY=1"]))
    }

    @Test("the watchdog interval is half of WATCHDOG_USEC, and only for the process it names")
    func watchdogInterval() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "2000000"], pid: 5) == .seconds(1))
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "6"], pid: 5)
                == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:], pid: 5) == nil)
    }
}

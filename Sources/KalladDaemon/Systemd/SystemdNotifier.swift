import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `sd_notify` without libsystemd: each state is one datagram to `$NOTIFY_SOCKET` (a path, or `@name` in the
/// abstract namespace). Without the variable (not started by systemd) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket address as systemd gave it, or `nil`.
    public let socketPath: String?

    /// A notifier for `$NOTIFY_SOCKET` (or an explicit path, for tests).
    public init(socketPath: String? = Environment.value("NOTIFY_SOCKET")) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The service is up and answering.
    public func ready(status: String? = nil) { send(["READY=1"] + (status.map { ["STATUS=" + $0] } ?? [])) }

    /// A reload has begun; `ready()` ends it. Systemd 253 and later also want `MONOTONIC_USEC`.
    public func reloading() {
        // libdispatch's uptime is CLOCK_MONOTONIC on Linux. (`timespec` here: since KalladDaemon depends on NIO, a
        // clean build takes its members from CDispatch, which MemberImportVisibility refuses.)
        let microseconds = Int64(DispatchTime.now().uptimeNanoseconds / 1000)
        send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }

    /// Shutdown has begun.
    public func stopping() { send(["STOPPING=1"]) }

    /// The watchdog keep-alive.
    public func watchdog() { send(["WATCHDOG=1"]) }

    /// A line of free text systemctl status shows.
    public func status(_ text: String) { send(["STATUS=" + text.replacingNewlines()]) }

    /// Sends `KEY=value` lines as one datagram; returns whether it was sent.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let socketPath, socketPath.utf8.count < 108 else { return false }
        let message = assignments.joined(separator: "\n")
        #if canImport(Darwin)
            let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #else
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in bytes.enumerated() { path[index] = byte }
        }
        // An abstract address is counted without a trailing NUL; a path with one.
        let length =
            MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)
        let sent = message.withCString { text in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, text, strlen(text), 0, socketAddress, socklen_t(length))
                }
            }
        }
        return sent >= 0
    }

    /// Half of `$WATCHDOG_USEC` when the watchdog is on for this process (`$WATCHDOG_PID` unset or ours).
    public static func watchdogInterval(
        environment: [String: String] = Environment.all(), pid: Int32 = getpid()
    ) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else {
            return nil
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(microseconds / 2)
    }
}

/// The process environment, read where the daemon starts (never in KalladCore).
public enum Environment {
    /// One variable.
    public static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        return String(cString: pointer)
    }

    /// Every variable.
    public static func all() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }
}

extension String {
    func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}

public import KalladCompose
import KalladConfig
public import KalladCore
import Synchronization

/// A configuration the daemon runs on: the registry and the secrets its service settings name, all checked.
public struct LoadedConfig: Sendable {
    /// The fields, in one box that copies share until one of them changes (copy on write): a trigger copies the
    /// configuration several times on its way through the checks, and a copy is then one retain instead of one for
    /// every reference in the registry.
    private final class Storage: @unchecked Sendable {
        // @unchecked: changed only through `LoadedConfig.unique()`, that is when no other copy can see it.
        var registry: Registry
        var systemSecrets: [String: [String]]
        var systemVerifiers: [String: WebhookVerifier]
        var readToken: String?
        var warnings: [Diagnostic]
        var loadedAt: Instant
        var generation: Int

        init(
            registry: Registry, systemSecrets: [String: [String]], systemVerifiers: [String: WebhookVerifier],
            readToken: String?, warnings: [Diagnostic], loadedAt: Instant, generation: Int
        ) {
            self.registry = registry
            self.systemSecrets = systemSecrets
            self.systemVerifiers = systemVerifiers
            self.readToken = readToken
            self.warnings = warnings
            self.loadedAt = loadedAt
            self.generation = generation
        }

        func copy() -> Storage {
            Storage(
                registry: registry, systemSecrets: systemSecrets, systemVerifiers: systemVerifiers,
                readToken: readToken, warnings: warnings, loadedAt: loadedAt, generation: generation)
        }
    }

    private var storage: Storage

    /// The box, made this copy's own first if another copy shares it.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The registry.
    public var registry: Registry {
        _read { yield storage.registry }
        _modify {
            let storage = unique()
            yield &storage.registry
        }
    }
    /// Each sending system's webhook secrets, by system name.
    public var systemSecrets: [String: [String]] {
        _read { yield storage.systemSecrets }
        set {
            let storage = unique()
            storage.systemSecrets = newValue
            storage.systemVerifiers = Self.verifiers(newValue)
        }
    }
    /// The same secrets prepared for verifying signatures, by system name.
    public var systemVerifiers: [String: WebhookVerifier] {
        _read { yield storage.systemVerifiers }
    }
    /// The Bearer token of the read endpoints, if configured.
    public var readToken: String? {
        _read { yield storage.readToken }
        _modify {
            let storage = unique()
            yield &storage.readToken
        }
    }
    /// Warnings the loader gave.
    public var warnings: [Diagnostic] {
        _read { yield storage.warnings }
        _modify {
            let storage = unique()
            yield &storage.warnings
        }
    }
    /// When it was loaded.
    public var loadedAt: Instant {
        _read { yield storage.loadedAt }
        _modify {
            let storage = unique()
            yield &storage.loadedAt
        }
    }
    /// Counts successful loads; caches keyed by it are dropped when the configuration changes.
    public var generation: Int {
        _read { yield storage.generation }
        _modify {
            let storage = unique()
            yield &storage.generation
        }
    }

    /// Creates a loaded configuration (tests build one directly).
    public init(
        registry: Registry, systemSecrets: [String: [String]], readToken: String?, warnings: [Diagnostic] = [],
        loadedAt: Instant
    ) {
        storage = Storage(
            registry: registry, systemSecrets: systemSecrets, systemVerifiers: Self.verifiers(systemSecrets),
            readToken: readToken, warnings: warnings, loadedAt: loadedAt, generation: 0)
    }

    static func verifiers(_ secrets: [String: [String]]) -> [String: WebhookVerifier] {
        secrets.mapValues { WebhookVerifier(secrets: $0) }
    }

    /// The service settings.
    public var service: ServiceSettings { registry.settings.service }

    /// Checks a registry's service secrets and reads them.
    public static func make(
        registry: Registry, warnings: [Diagnostic] = [], now: Instant,
        readSecret: (String) -> Result<String, DaemonError> = { SecretFiles.read($0) }
    ) -> Result<LoadedConfig, DaemonError> {
        var secrets: [String: [String]] = [:]
        for system in registry.settings.service.systems {
            for file in system.secretFiles {
                switch readSecret(file) {
                case .success(let secret):
                    do {
                        _ = try WebhookSignature.key(secret)
                    } catch {
                        return .failure(
                            DaemonError(
                                code: "secret.format", message: "system \(system.name): \(error.message)", place: file))
                    }
                    secrets[system.name, default: []].append(secret)
                case .failure(var error):
                    error.message = "system \(system.name): " + error.message
                    return .failure(error)
                }
            }
        }
        var token: String?
        if let file = registry.settings.service.readTokenFile {
            switch readSecret(file) {
            case .success(let text):
                guard text.utf8.count >= 16 else {
                    return .failure(
                        DaemonError(
                            code: "secret.short", message: "the read token needs at least 16 characters", place: file))
                }
                token = text
            case .failure(let error): return .failure(error)
            }
        }
        return .success(
            LoadedConfig(
                registry: registry, systemSecrets: secrets, readToken: token, warnings: warnings, loadedAt: now))
    }
}

/// What a (re)load did.
public enum ReloadOutcome: Sendable, Equatable {
    /// The new configuration is in use.
    case applied(warnings: Int)
    /// The configuration was refused; the one before stays in use (if any).
    case refused(reason: String)
}

/// Holds the configuration in use and replaces it only with one that loaded and validated completely; a broken one
/// is refused with the reason and the old one stays. Reads are lock-free for the caller's purposes (a snapshot).
public actor ConfigHolder {
    /// The configuration folder.
    public let directory: String
    private let clock: @Sendable () -> Instant
    private let readSecret: @Sendable (String) -> Result<String, DaemonError>
    private let metrics: MetricsRegistry?
    private let box = Mutex<LoadedConfig?>(nil)
    private let refusal = Mutex<String?>(nil)
    private var generation = 0

    /// A holder for `directory`; nothing is loaded until `reload()`.
    public init(
        directory: String, metrics: MetricsRegistry? = nil,
        clock: @escaping @Sendable () -> Instant = ConfigHolder.systemClock,
        readSecret: @escaping @Sendable (String) -> Result<String, DaemonError> = { SecretFiles.read($0) }
    ) {
        self.directory = directory
        self.metrics = metrics
        self.clock = clock
        self.readSecret = readSecret
    }

    /// A holder with a configuration already in place (tests).
    public init(loaded: LoadedConfig, metrics: MetricsRegistry? = nil) {
        self.init(directory: "", metrics: metrics)
        box.withLock { $0 = loaded }
    }

    /// The configuration in use, if one ever loaded.
    public nonisolated var current: LoadedConfig? { box.withLock { $0 } }

    /// Why the last load was refused, while that is the latest news.
    public nonisolated var lastRefusal: String? { refusal.withLock { $0 } }

    /// Loads and validates the folder; swaps it in only if everything is usable.
    @discardableResult
    public func reload() -> ReloadOutcome {
        let result = ConfigLoader.load(directory: directory)
        let now = clock()
        guard let registry = result.registry else {
            let errors = result.diagnostics.filter { $0.severity == .error }
            let first = errors.first.map(\.description) ?? "the configuration is not usable"
            let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
            return refuse("\(errors.count) error\(errors.count == 1 ? "" : "s"): \(first)\(more)")
        }
        switch LoadedConfig.make(
            registry: registry, warnings: result.diagnostics.filter { $0.severity == .warning }, now: now,
            readSecret: readSecret)
        {
        case .failure(let error): return refuse(error.description)
        case .success(var loaded):
            generation += 1
            loaded.generation = generation
            box.withLock { [loaded] in $0 = loaded }
            refusal.withLock { $0 = nil }
            metrics?.set(KalladMetrics.configReloadSuccessful, to: 1)
            metrics?.set(KalladMetrics.configReloadTimestamp, to: Double(now.secondsSinceEpoch))
            return .applied(warnings: loaded.warnings.count)
        }
    }

    private func refuse(_ reason: String) -> ReloadOutcome {
        refusal.withLock { $0 = reason }
        metrics?.set(KalladMetrics.configReloadSuccessful, to: 0)
        return .refused(reason: reason)
    }

    /// Now, from the system clock.
    public static let systemClock: @Sendable () -> Instant = {
        Instant(secondsSinceEpoch: Int64(LogfmtHandler.wallClock()))
    }
}

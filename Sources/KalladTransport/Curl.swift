import CCurl
import Foundation

/// libcurl's global state, set up once before any transfer.
enum Curl {
    /// `curl_global_init`, run once (Swift runs a static initialiser exactly once, thread-safely).
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// The library's version text, e.g. `libcurl/7.88.1 OpenSSL/3.0.x`.
    static var version: String { String(cString: curl_version()) }
}

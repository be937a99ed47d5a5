#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings across the C boundary: every string the library returns is `strdup`ed and freed by
/// `mcpproxy_string_free`.
enum CString {
    /// A copy the caller frees with `mcpproxy_string_free`.
    static func copy(_ text: String) -> UnsafeMutablePointer<CChar>? {
        strdup(text)
    }

    /// Sets `*error` to a copy of `message` (when the caller passed somewhere to put it).
    static func report(_ message: String?, to error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard let error else { return }
        error.pointee = message.flatMap(copy)
    }

    /// A C string argument as Swift text; nil for NULL.
    static func text(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

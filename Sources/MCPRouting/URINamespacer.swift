/// Optional rewriting of resource URIs into a proxy namespace: `<scheme>+<original URI>`, as in
/// `alpha+file:///x`, where `<scheme>` encodes the upstream's name.
///
/// The scheme is a reversible encoding of the upstream name into `[a-z0-9.-]` that starts with a
/// letter, so the rewritten string is still a URI and no table of upstream names is needed to map
/// it back:
/// - `a`–`z`, `0`–`9` and `-` stand for themselves (`git`, `my-server`, `s3` are unchanged);
/// - every other UTF-8 byte, `.` included, becomes `.` and two lowercase hex digits
///   (`my_server` → `my.5fserver`, `Files` → `.46iles`);
/// - a name that does not start with `a`–`z` gets the marker `u..` in front (`9lives` → `u..9lives`),
///   which plain encoding never produces because `.` is always followed by hex digits.
///
/// Lowercase names made of letters, digits and `-` therefore read naturally.
public struct URINamespacer: Sendable {
    /// When non-nil, only these upstreams are accepted by `original(exposed:)`.
    private let knownUpstreams: Set<String>?

    /// A namespacer that maps back any well-formed exposed URI.
    public init() {
        knownUpstreams = nil
    }

    /// A namespacer whose `original(exposed:)` also rejects URIs of upstreams not in `upstreams`.
    public init(upstreams: [String]) {
        knownUpstreams = Set(upstreams)
    }

    /// The scheme that stands for `upstream`.
    public func scheme(for upstream: String) -> String {
        Self.encode(upstream)
    }

    /// The exposed form of an upstream's URI: `<scheme>+<uri>`.
    public func exposed(uri: String, upstream: String) -> String {
        Self.encode(upstream) + "+" + uri
    }

    /// The upstream and original URI behind an exposed URI, or `nil` when there is no `+`, the part
    /// before it is not a scheme this namespacer produces (or names an unknown upstream when the
    /// namespacer was built with a list), or the original URI is empty.
    public func original(exposed: String) -> (upstream: String, uri: String)? {
        guard let plus = exposed.utf8.firstIndex(of: UInt8(ascii: "+")) else { return nil }
        let uriStart = exposed.utf8.index(after: plus)
        guard uriStart != exposed.endIndex, let upstream = Self.decode(exposed[..<plus]) else { return nil }
        if let knownUpstreams, !knownUpstreams.contains(upstream) { return nil }
        return (upstream, String(exposed[uriStart...]))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let marker: [UInt8] = Array("u..".utf8)

    private static func isPlain(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }

    /// The scheme for an upstream name.
    static func encode(_ upstream: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(upstream.utf8)
        if let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) {
            // Starts with a letter: no marker.
        } else {
            out.append(contentsOf: marker)
        }
        for byte in bytes {
            if isPlain(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "."))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The upstream name for a scheme, or `nil` if `encode` would not have produced it.
    static func decode(_ scheme: Substring) -> String? {
        var bytes = Array(scheme.utf8)[...]
        if bytes.starts(with: marker) { bytes = bytes.dropFirst(marker.count) }
        var name: [UInt8] = []
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: ".") {
                guard let high = bytes.popFirst().flatMap(hexValue), let low = bytes.popFirst().flatMap(hexValue) else {
                    return nil
                }
                name.append(high << 4 | low)
            } else if isPlain(byte) {
                name.append(byte)
            } else {
                return nil
            }
        }
        let upstream = String(decoding: name, as: UTF8.self)
        // Only canonical encodings of valid UTF-8 decode (no `.61` for `a`, no stray marker).
        guard encode(upstream).utf8.elementsEqual(scheme.utf8) else { return nil }
        return upstream
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// The exported metric names in use, their kind and help text; guarantees that one name is
/// never exported as two kinds (which would make the Prometheus text invalid).
struct MetricFamilies: Sendable {
    /// What a name is exported as.
    enum Kind: Sendable, Equatable {
        case builtin
        case counter
        case gauge
    }

    struct Family: Sendable {
        var kind: Kind
        var help: String
    }

    /// Names the registry itself exports for request series, including histogram suffixes.
    static let builtinNames = [
        PrometheusRenderer.requestsTotal,
        PrometheusRenderer.requestErrorsTotal,
        PrometheusRenderer.requestDuration,
        PrometheusRenderer.requestDuration + "_bucket",
        PrometheusRenderer.requestDuration + "_sum",
        PrometheusRenderer.requestDuration + "_count",
    ]

    private var families: [String: Family]

    init() {
        families = [:]
        for name in Self.builtinNames {
            families[name] = Family(kind: .builtin, help: "")
        }
    }

    /// Claims `name` (already sanitised) for `kind`. Returns the exported name, which gets a
    /// `_counter` or `_gauge` suffix while it is taken by another kind, and the family's help
    /// text (the first registration's).
    mutating func claim(_ name: String, kind: Kind, help: String) -> (name: String, help: String) {
        let suffix = kind == .gauge ? "_gauge" : "_counter"
        var candidate = name
        while let existing = families[candidate] {
            if existing.kind == kind {
                return (candidate, existing.help)
            }
            candidate += suffix
        }
        families[candidate] = Family(kind: kind, help: help)
        return (candidate, help)
    }
}

/// An ordered list of route rules with every glob compiled once; the first matching rule wins.
///
/// `decide` does not allocate and touches no reference-counted storage until a rule matches:
/// - rules are pre-grouped by method: for every literal method that some rule names (`tools/call`),
///   the table knows at build time which rules' method globs match it, in rule order; a message's
///   method is looked up among those few literals by comparing lengths and packed eight-byte words,
///   and only that group is scanned, without re-testing the method;
/// - a method no rule names literally scans only the rules with a wildcard method;
/// - a rule whose name glob has literal bytes the name lacks is rejected by one mask test
///   (`ByteSet`), so long lists of unrelated rules cost a few instructions each;
/// - name globs that are `*`, a literal or a literal prefix (`git*`) are decided by the same word
///   comparisons; other globs run the full matcher.
public struct RouteTable: Sendable {
    /// Everything compiled, behind one reference so that passing the table around costs a single
    /// retain rather than one per array.
    @usableFromInline let storage: RouteTableStorage

    /// The rules, in the order they are tried.
    public var rules: [RouteRule] { storage.rules }

    /// Compiles every glob in `rules`.
    ///
    /// - Throws: `GlobPatternError` for the first malformed pattern (its message names the pattern).
    public init(rules: [RouteRule]) throws(GlobPatternError) {
        storage = try RouteTableStorage(rules: rules)
    }

    /// A table without rules: `decide` always answers `nil`.
    public static let noRules = RouteTable(storage: RouteTableStorage())

    private init(storage: RouteTableStorage) {
        self.storage = storage
    }

    /// The number of rules.
    public var count: Int { storage.rules.count }

    /// The action of the first rule matching this message, or `nil` when none does (the caller's
    /// default applies).
    ///
    /// - Parameters:
    ///   - method: the JSON-RPC method.
    ///   - name: the tool or prompt name or resource URI, if the message has one.
    ///   - upstream: the upstream the message is headed for, if already known.
    public func decide(method: String, name: String?, upstream: String?) -> RouteAction? {
        let storage = self.storage
        return UTF8Buffer.with(method) { methodBytes in
            if let name {
                return UTF8Buffer.with(name) { nameBytes in
                    storage.decide(methodBytes, nameBytes, upstream)
                }
            }
            return storage.decide(methodBytes, nil, upstream)
        }
    }

    /// The same decision from UTF-8 bytes, for callers that hold the method and name as slices of
    /// the incoming message.
    @inlinable
    public func decide<M: Collection, N: Collection>(
        methodUTF8: M, nameUTF8: N?, upstream: String?
    ) -> RouteAction? where M.Element == UInt8, N.Element == UInt8 {
        let storage = self.storage
        return UTF8Buffer.with(methodUTF8) { methodBytes in
            if let nameUTF8 {
                return UTF8Buffer.with(nameUTF8) { nameBytes in
                    storage.decide(methodBytes, nameBytes, upstream)
                }
            }
            return storage.decide(methodBytes, nil, upstream)
        }
    }

    /// The decision for a message without a name (`tools/list`, notifications), from UTF-8 bytes.
    @inlinable
    public func decide<M: Collection>(methodUTF8: M, upstream: String?) -> RouteAction? where M.Element == UInt8 {
        let storage = self.storage
        return UTF8Buffer.with(methodUTF8) { storage.decide($0, nil, upstream) }
    }
}

/// The compiled form of a `RouteTable`.
@usableFromInline
final class RouteTableStorage: Sendable {
    /// A rule with its globs compiled; kept as bare programs so that running one retains nothing.
    private struct CompiledRule: Sendable {
        let method: GlobProgram
        let name: GlobProgram?
        let upstream: GlobProgram?
        let action: RouteAction
    }

    /// The trivially copyable part of a rule that the scan reads first.
    private struct RuleProbe: Sendable {
        let method: LiteralProbe
        /// `nil` when the rule has no name pattern.
        let name: LiteralProbe?
        let checksUpstream: Bool
    }

    private let compiled: [CompiledRule]
    private let probes: [RuleProbe]
    /// The distinct literal methods named by rules, as bytes and as probes.
    private let literalMethods: [[UInt8]]
    private let literalMethodProbes: [LiteralProbe]
    /// Rule indices, grouped: `candidates[groups[k]]` are the rules whose method glob matches
    /// `literalMethods[k]`; `candidates[wildcardGroup]` are the rules whose method is not a literal.
    private let candidates: [Int32]
    /// For each entry of `candidates`: the bytes a name must contain to match that rule's name
    /// glob, tested before anything else about the rule.
    private let candidateNameRequires: [UInt64]
    private let groups: [Range<Int>]
    private let wildcardGroup: Range<Int>

    let rules: [RouteRule]

    /// The storage of a table without rules.
    init() {
        compiled = []
        probes = []
        literalMethods = []
        literalMethodProbes = []
        candidates = []
        candidateNameRequires = []
        groups = []
        wildcardGroup = 0..<0
        rules = []
    }

    /// Compiles every glob in `rules`.
    ///
    /// - Throws: `GlobPatternError` for the first malformed pattern (its message names the pattern).
    init(rules: [RouteRule]) throws(GlobPatternError) {
        var compiled: [CompiledRule] = []
        var probes: [RuleProbe] = []
        compiled.reserveCapacity(rules.count)
        probes.reserveCapacity(rules.count)
        var literalMethods: [[UInt8]] = []
        for rule in rules {
            let method = try GlobPattern(rule.method)
            var name: GlobPattern?
            if let pattern = rule.name { name = try GlobPattern(pattern) }
            var upstream: GlobPattern?
            if let pattern = rule.upstream { upstream = try GlobPattern(pattern) }
            compiled.append(
                CompiledRule(
                    method: method.program, name: name?.program, upstream: upstream?.program, action: rule.action))
            let methodProbe = LiteralProbe(method)
            probes.append(
                RuleProbe(method: methodProbe, name: name.map(LiteralProbe.init), checksUpstream: upstream != nil))
            if methodProbe.kind == .exact, !literalMethods.contains(method.program.literals) {
                literalMethods.append(method.program.literals)
            }
        }

        var candidates: [Int32] = []
        var groups: [Range<Int>] = []
        for literal in literalMethods {
            let start = candidates.count
            for (index, rule) in compiled.enumerated() where literal.withUnsafeBufferPointer(rule.method.matches) {
                candidates.append(Int32(index))
            }
            groups.append(start..<candidates.count)
        }
        let start = candidates.count
        for (index, probe) in probes.enumerated() where probe.method.kind != .exact {
            candidates.append(Int32(index))
        }

        self.compiled = compiled
        self.probes = probes
        self.literalMethods = literalMethods
        self.literalMethodProbes = literalMethods.map { LiteralProbe(kind: .exact, literal: $0) }
        self.candidates = candidates
        self.candidateNameRequires = candidates.map { index in
            compiled[Int(index)].name?.requiredBytes.bits ?? 0
        }
        self.groups = groups
        self.wildcardGroup = start..<candidates.count
        self.rules = rules
    }

    /// The group of candidate rules for `method`, and whether their methods are already known to match.
    private func group(for method: UnsafeBufferPointer<UInt8>, head: UInt64) -> (Range<Int>, methodMatched: Bool) {
        literalMethodProbes.withUnsafeBufferPointer { literalProbes in
            for k in 0..<literalProbes.count {
                switch literalProbes[k].test(method, head: head) {
                case false:
                    continue
                case true:
                    return (groups[k], true)
                case nil:
                    let equal = literalMethods[k].withUnsafeBufferPointer { UTF8Buffer.equal(method, at: 0, $0) }
                    if equal { return (groups[k], true) }
                }
            }
            return (wildcardGroup, false)
        }
    }

    /// The scan proper: find the method's group, then test each candidate's name and upstream.
    @usableFromInline
    func decide(
        _ method: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>?, _ upstream: String?
    ) -> RouteAction? {
        let methodHead = UTF8Buffer.head(method)
        let nameHead = name.map(UTF8Buffer.head) ?? 0
        let nameBits = ~(name.map(ByteSet.init) ?? .empty).bits
        let (group, methodMatched) = group(for: method, head: methodHead)
        return probes.withUnsafeBufferPointer { probes in
            candidates.withUnsafeBufferPointer { candidates in
                candidateNameRequires.withUnsafeBufferPointer { requires in
                compiled.withUnsafeBufferPointer { compiled in
                for position in group where requires[position] & nameBits == 0 {
                    let index = Int(candidates[position])
                    let probe = probes[index]
                    if !methodMatched {
                        switch probe.method.test(method, head: methodHead) {
                        case false:
                            continue
                        case true:
                            break
                        case nil:
                            guard compiled[index].method.matches(method) else { continue }
                        }
                    }
                    if let nameProbe = probe.name {
                        guard let name else { continue }
                        switch nameProbe.test(name, head: nameHead) {
                        case false:
                            continue
                        case true:
                            break
                        case nil:
                            guard compiled[index].name?.matches(name) == true else { continue }
                        }
                    }
                    if probe.checksUpstream {
                        guard let upstream, let program = compiled[index].upstream,
                            UTF8Buffer.with(upstream, program.matches)
                        else { continue }
                    }
                    return compiled[index].action
                }
                return nil
                }
                }
            }
        }
    }
}

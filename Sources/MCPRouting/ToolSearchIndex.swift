/// One tool as the search index sees it.
public struct ToolSearchDocument: Sendable, Equatable {
    /// The tool's name as clients see it (namespaces and all: `git__git_log`).
    public var name: String
    /// Its title and description.
    public var description: String
    /// Its input parameters' names and descriptions, as one text.
    public var parameters: String

    /// A document; `parameters` may be empty.
    public init(name: String, description: String, parameters: String = "") {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// One search result: which document, and how well it matched.
public struct ToolSearchHit: Sendable, Equatable {
    /// The document's position in the list the index was built from.
    public let document: Int
    /// Its BM25 score (higher is better; 0 for the results of an empty query).
    public let score: Double

    /// A hit.
    public init(document: Int, score: Double) {
        self.document = document
        self.score = score
    }
}

/// A BM25 index over tool names, descriptions and parameters, for `search_tools` on endpoints
/// with `discovery: search`.
///
/// Each document is one bag of terms (``ToolSearchTokenizer``) in which a term counts with the
/// weight of the field it came from: a word of the name counts more than a word of the
/// description, which counts more than one of a parameter (BM25F with one length
/// normalisation). A query is scored as
///
///     score(d) = Σ_t w(t) · idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avg|d|))
///     idf(t)   = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
///
/// over the query's distinct terms (weight 1) and their synonyms (``ToolSearchSynonyms``,
/// weight ``Weights/synonym``). Results are ordered by score, ties by position in the catalog,
/// so the same query over the same catalog always gives the same list.
///
/// The index is immutable and `Sendable`: build it once per catalog change and share it. A query
/// allocates only its own score table; nothing is locked.
public struct ToolSearchIndex: Sendable {
    /// Field weights and the BM25 parameters.
    public struct Weights: Sendable, Equatable {
        /// How much a term of the name counts.
        public var name: Double
        /// How much a term of the description counts.
        public var description: Double
        /// How much a term of the parameters counts.
        public var parameters: Double
        /// How much a synonym of a query term counts, against 1 for the term itself.
        public var synonym: Double
        /// BM25 term-frequency saturation.
        public var k1: Double
        /// BM25 length normalisation (0: none, 1: full).
        public var b: Double

        /// Weights; the defaults are the ones ``standard`` uses.
        public init(name: Double = 3, description: Double = 1, parameters: Double = 0.5, synonym: Double = 0.5, k1: Double = 1.2, b: Double = 0.75) {
            self.name = name
            self.description = description
            self.parameters = parameters
            self.synonym = synonym
            self.k1 = k1
            self.b = b
        }

        /// Names ×3, descriptions ×1, parameters ×0.5, synonyms ×0.5, k1 1.2, b 0.75.
        public static let standard = Weights()
    }

    private struct Posting: Sendable {
        let document: Int32
        let frequency: Float
    }

    /// How many documents it holds.
    public let count: Int
    /// The weights it was built and scores with.
    public let weights: Weights
    /// The synonyms queries are widened with.
    public let synonyms: ToolSearchSynonyms
    private let termIDs: [String: Int]
    private let postings: [[Posting]]
    private let idf: [Double]
    private let lengths: [Float]
    private let averageLength: Double

    /// Builds the index over `documents` (their order is the tie-break order).
    public init(_ documents: [ToolSearchDocument], weights: Weights = .standard, synonyms: ToolSearchSynonyms = .standard) {
        self.count = documents.count
        self.weights = weights
        self.synonyms = synonyms
        var termIDs: [String: Int] = [:]
        var postings: [[Posting]] = []
        var lengths: [Float] = []
        lengths.reserveCapacity(documents.count)
        var frequencies: [Int: Double] = [:]
        for (position, document) in documents.enumerated() {
            frequencies.removeAll(keepingCapacity: true)
            var length = 0.0
            for (text, weight) in [(document.name, weights.name), (document.description, weights.description), (document.parameters, weights.parameters)]
            where weight > 0 && !text.isEmpty {
                for term in ToolSearchTokenizer.terms(text) {
                    let id: Int
                    if let known = termIDs[term] {
                        id = known
                    } else {
                        id = postings.count
                        termIDs[term] = id
                        postings.append([])
                    }
                    frequencies[id, default: 0] += weight
                    length += weight
                }
            }
            for (id, frequency) in frequencies.sorted(by: { $0.key < $1.key }) {
                postings[id].append(Posting(document: Int32(truncatingIfNeeded: position), frequency: Float(frequency)))
            }
            lengths.append(Float(length))
        }
        let total = Double(documents.count)
        self.idf = postings.map { list in
            let n = Double(list.count)
            return Self.log(1 + (total - n + 0.5) / (n + 0.5))
        }
        self.termIDs = termIDs
        self.postings = postings
        self.lengths = lengths
        let sum = lengths.reduce(0.0) { $0 + Double($1) }
        self.averageLength = documents.isEmpty || sum == 0 ? 1 : sum / total
    }

    /// The best matches for `query`, at most `limit`, among the documents `isIncluded` accepts
    /// (e.g. the tools the principal may see): best first, ties in catalog order. Documents that
    /// match no term of the query are left out. A query without terms (empty, or only stop words)
    /// matches every included document with score 0, in catalog order.
    public func search(_ query: String, limit: Int, where isIncluded: (Int) -> Bool = { _ in true }) -> [ToolSearchHit] {
        guard limit > 0, count > 0 else { return [] }
        let terms = ToolSearchTokenizer.terms(query)
        if terms.isEmpty {
            var hits: [ToolSearchHit] = []
            for document in 0..<count where isIncluded(document) {
                hits.append(ToolSearchHit(document: document, score: 0))
                if hits.count == limit { break }
            }
            return hits
        }
        let queryTerms = weightedTerms(terms)
        if queryTerms.isEmpty { return [] }
        var scores = [Double](repeating: 0, count: count)
        var touched: [Int] = []
        let k1 = weights.k1
        let b = weights.b
        for (id, weight) in queryTerms {
            let termIDF = idf[id] * weight
            for posting in postings[id] {
                let document = Int(posting.document)
                let frequency = Double(posting.frequency)
                let norm = k1 * (1 - b + b * Double(lengths[document]) / averageLength)
                if scores[document] == 0 { touched.append(document) }
                scores[document] += termIDF * frequency * (k1 + 1) / (frequency + norm)
            }
        }
        // The best `limit`, kept sorted while scanning: no sort of every match, and the
        // principal's filter (glob matches) runs only for matches good enough to enter the list.
        let kept = min(limit, touched.count)
        var top: [ToolSearchHit] = []
        top.reserveCapacity(kept + 1)
        for document in touched {
            let hit = ToolSearchHit(document: document, score: scores[document])
            if top.count == kept, let last = top.last, !Self.ranks(hit, above: last) { continue }
            guard isIncluded(document) else { continue }
            var position = top.count
            while position > 0 && Self.ranks(hit, above: top[position - 1]) { position -= 1 }
            top.insert(hit, at: position)
            if top.count > kept { top.removeLast() }
        }
        return top
    }

    /// Higher score first; equal scores in catalog order.
    @inline(__always)
    static func ranks(_ hit: ToolSearchHit, above other: ToolSearchHit) -> Bool {
        hit.score != other.score ? hit.score > other.score : hit.document < other.document
    }

    /// The query terms' ids with their weights: each distinct term 1, a synonym of one
    /// `weights.synonym` (unless it is a query term itself). Terms no document has are dropped.
    func weightedTerms(_ terms: [String]) -> [(id: Int, weight: Double)] {
        var weightByID: [Int: Double] = [:]
        var order: [Int] = []
        func add(_ term: String, _ weight: Double) {
            guard let id = termIDs[term] else { return }
            if let existing = weightByID[id] {
                weightByID[id] = max(existing, weight)
            } else {
                weightByID[id] = weight
                order.append(id)
            }
        }
        for term in terms { add(term, 1) }
        if weights.synonym > 0 {
            for term in terms {
                for synonym in synonyms.expansions(of: term) { add(synonym, weights.synonym) }
            }
        }
        return order.map { ($0, weightByID[$0] ?? 0) }
    }

    /// Natural logarithm without Foundation (the index's only use of one: idf at build time).
    static func log(_ x: Double) -> Double {
        // ln(x) = 2·atanh((x−1)/(x+1)), a series that converges for every x > 0; scaled by
        // powers of two first so the series is short.
        guard x > 0 else { return 0 }
        var value = x
        var exponent = 0.0
        while value > 2 { value /= 2; exponent += 1 }
        while value < 1 { value *= 2; exponent -= 1 }
        let y = (value - 1) / (value + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var n = 1.0
        while true {
            let next = sum + term / n
            if next == sum { break }
            sum = next
            term *= y2
            n += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }
}

/// The envelope found by one scan. Ranges are byte offsets relative to the message's first byte.
///
/// Ranges are stored packed (two 32-bit offsets in one word; a `ByteBuffer` never holds more
/// than 4 GiB) so that the envelope, which travels with every message, stays small to copy.
public struct Envelope: Sendable, Equatable {
    /// Request, notification, or success/error response.
    public var kind: MessageKind
    /// The id; nil for notifications and for error responses whose id is null or absent.
    public var id: JSONRPCID?
    /// The id token exactly as sent (e.g. `7` or `"a\u0041"`).
    public var idRange: Range<Int>? {
        get { _idRange.range }
        set { _idRange = PackedRange(newValue) }
    }
    @usableFromInline var _idRange: PackedRange
    /// The method of a request or notification.
    public var method: MCPMethod?
    /// The whole `params` value.
    public var paramsRange: Range<Int>? {
        get { _paramsRange.range }
        set { _paramsRange = PackedRange(newValue) }
    }
    @usableFromInline var _paramsRange: PackedRange
    /// The whole `result` value.
    public var resultRange: Range<Int>? {
        get { _resultRange.range }
        set { _resultRange = PackedRange(newValue) }
    }
    @usableFromInline var _resultRange: PackedRange
    /// The whole `error` object.
    public var errorRange: Range<Int>? {
        get { _errorRange.range }
        set { _errorRange = PackedRange(newValue) }
    }
    @usableFromInline var _errorRange: PackedRange
    /// `error.code` of an error response.
    public var errorCode: Int?
    /// `params.name` when it is a string (tool or prompt name).
    public var name: String?
    /// The `params.name` string token, quotes included.
    public var nameRange: Range<Int>? {
        get { _nameRange.range }
        set { _nameRange = PackedRange(newValue) }
    }
    @usableFromInline var _nameRange: PackedRange
    /// `params.uri` when it is a string.
    public var uri: String?
    /// The `params.uri` string token, quotes included.
    public var uriRange: Range<Int>? {
        get { _uriRange.range }
        set { _uriRange = PackedRange(newValue) }
    }
    @usableFromInline var _uriRange: PackedRange
    /// `params.ref.name` when a string (completion/complete on a prompt).
    public var refName: String?
    /// The `params.ref.name` string token, quotes included.
    public var refNameRange: Range<Int>? {
        get { _refNameRange.range }
        set { _refNameRange = PackedRange(newValue) }
    }
    @usableFromInline var _refNameRange: PackedRange
    /// `params.ref.uri` when a string (completion/complete on a resource template).
    public var refURI: String?
    /// The `params.ref.uri` string token, quotes included.
    public var refURIRange: Range<Int>? {
        get { _refURIRange.range }
        set { _refURIRange = PackedRange(newValue) }
    }
    @usableFromInline var _refURIRange: PackedRange
    /// Requests: `params._meta.progressToken`; `notifications/progress`: `params.progressToken`.
    public var progressToken: JSONRPCID?
    /// The progress token exactly as sent.
    public var progressTokenRange: Range<Int>? {
        get { _progressTokenRange.range }
        set { _progressTokenRange = PackedRange(newValue) }
    }
    @usableFromInline var _progressTokenRange: PackedRange
    /// Requests and notifications: `params._meta` carries `io.modelcontextprotocol/protocolVersion`,
    /// the 2026-07-28 per-request envelope (``ModernEnvelope`` reads the rest). Set by the scanner.
    public var hasModernEnvelope = false
    /// `notifications/cancelled`: `params.requestId`.
    public var cancelledRequestID: JSONRPCID?
    /// The cancelled request id exactly as sent.
    public var cancelledRequestIDRange: Range<Int>? {
        get { _cancelledRequestIDRange.range }
        set { _cancelledRequestIDRange = PackedRange(newValue) }
    }
    @usableFromInline var _cancelledRequestIDRange: PackedRange

    /// Creates an envelope; everything but the kind defaults to absent.
    public init(
        kind: MessageKind,
        id: JSONRPCID? = nil,
        idRange: Range<Int>? = nil,
        method: MCPMethod? = nil,
        paramsRange: Range<Int>? = nil,
        resultRange: Range<Int>? = nil,
        errorRange: Range<Int>? = nil,
        errorCode: Int? = nil,
        name: String? = nil,
        nameRange: Range<Int>? = nil,
        uri: String? = nil,
        uriRange: Range<Int>? = nil,
        refName: String? = nil,
        refNameRange: Range<Int>? = nil,
        refURI: String? = nil,
        refURIRange: Range<Int>? = nil,
        progressToken: JSONRPCID? = nil,
        progressTokenRange: Range<Int>? = nil,
        cancelledRequestID: JSONRPCID? = nil,
        cancelledRequestIDRange: Range<Int>? = nil
    ) {
        self.kind = kind
        self.id = id
        self._idRange = PackedRange(idRange)
        self.method = method
        self._paramsRange = PackedRange(paramsRange)
        self._resultRange = PackedRange(resultRange)
        self._errorRange = PackedRange(errorRange)
        self.errorCode = errorCode
        self.name = name
        self._nameRange = PackedRange(nameRange)
        self.uri = uri
        self._uriRange = PackedRange(uriRange)
        self.refName = refName
        self._refNameRange = PackedRange(refNameRange)
        self.refURI = refURI
        self._refURIRange = PackedRange(refURIRange)
        self.progressToken = progressToken
        self._progressTokenRange = PackedRange(progressTokenRange)
        self.cancelledRequestID = cancelledRequestID
        self._cancelledRequestIDRange = PackedRange(cancelledRequestIDRange)
    }
}

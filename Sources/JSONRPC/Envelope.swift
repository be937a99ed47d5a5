/// The envelope found by one scan. Ranges are byte offsets relative to the message's first byte.
public struct Envelope: Sendable, Equatable {
    /// Request, notification, or success/error response.
    public var kind: MessageKind
    /// The id; nil for notifications and for error responses whose id is null or absent.
    public var id: JSONRPCID?
    /// The id token exactly as sent (e.g. `7` or `"a\u0041"`).
    public var idRange: Range<Int>?
    /// The method of a request or notification.
    public var method: MCPMethod?
    /// The whole `params` value.
    public var paramsRange: Range<Int>?
    /// The whole `result` value.
    public var resultRange: Range<Int>?
    /// The whole `error` object.
    public var errorRange: Range<Int>?
    /// `error.code` of an error response.
    public var errorCode: Int?
    /// `params.name` when it is a string (tool or prompt name).
    public var name: String?
    /// The `params.name` string token, quotes included.
    public var nameRange: Range<Int>?
    /// `params.uri` when it is a string.
    public var uri: String?
    /// The `params.uri` string token, quotes included.
    public var uriRange: Range<Int>?
    /// `params.ref.name` when a string (completion/complete on a prompt).
    public var refName: String?
    /// The `params.ref.name` string token, quotes included.
    public var refNameRange: Range<Int>?
    /// `params.ref.uri` when a string (completion/complete on a resource template).
    public var refURI: String?
    /// The `params.ref.uri` string token, quotes included.
    public var refURIRange: Range<Int>?
    /// Requests: `params._meta.progressToken`; `notifications/progress`: `params.progressToken`.
    public var progressToken: JSONRPCID?
    /// The progress token exactly as sent.
    public var progressTokenRange: Range<Int>?
    /// `notifications/cancelled`: `params.requestId`.
    public var cancelledRequestID: JSONRPCID?
    /// The cancelled request id exactly as sent.
    public var cancelledRequestIDRange: Range<Int>?

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
        self.idRange = idRange
        self.method = method
        self.paramsRange = paramsRange
        self.resultRange = resultRange
        self.errorRange = errorRange
        self.errorCode = errorCode
        self.name = name
        self.nameRange = nameRange
        self.uri = uri
        self.uriRange = uriRange
        self.refName = refName
        self.refNameRange = refNameRange
        self.refURI = refURI
        self.refURIRange = refURIRange
        self.progressToken = progressToken
        self.progressTokenRange = progressTokenRange
        self.cancelledRequestID = cancelledRequestID
        self.cancelledRequestIDRange = cancelledRequestIDRange
    }
}

/// A fixed document the HTTP front serves on GET at a configured path, without admission and from
/// any origin (`Access-Control-Allow-Origin: *`), e.g. the OAuth protected-resource metadata at
/// `/.well-known/oauth-protected-resource`.
public struct HTTPStaticDocument: Sendable, Hashable {
    /// The `Content-Type` of the document, e.g. `application/json`.
    public var contentType: String
    /// The document's bytes.
    public var body: [UInt8]
    /// How long clients and caches may keep it (`Cache-Control: public, max-age=<seconds>`).
    public var maxAgeSeconds: Int

    /// Creates a document.
    public init(contentType: String, body: [UInt8], maxAgeSeconds: Int = 300) {
        self.contentType = contentType
        self.body = body
        self.maxAgeSeconds = maxAgeSeconds
    }
}

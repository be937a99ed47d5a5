/// Kind of a JSON-RPC message, decided by which envelope members it carries.
public enum MessageKind: Sendable, Equatable {
    /// `method` and `id`: expects a response.
    case request
    /// `method` without `id`: must not be answered.
    case notification
    /// `result` with `id`.
    case successResponse
    /// `error` with `id` (which may be `null` or absent when the request id could not be read).
    case errorResponse
}

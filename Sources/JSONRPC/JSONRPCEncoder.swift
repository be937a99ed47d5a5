import NIOCore

/// Builders for compact JSON-RPC messages, without Foundation. Raw JSON fragments (ids, params,
/// result, data) are passed as bytes and copied verbatim: they must already be valid JSON.
/// Each output buffer is allocated once with its exact size.
public enum JSONRPCEncoder {
    /// `{"jsonrpc":"2.0","id":<id>,"method":"<method>","params":<params>}` (params omitted when nil).
    public static func request(idBytes: [UInt8], method: String, params: [UInt8]?) -> ByteBuffer {
        var size = prefix.utf8CodeUnitCount + idKey.utf8CodeUnitCount + idBytes.count
        size += methodKey.utf8CodeUnitCount + JSONString.encodedCount(method) + 1
        if let params { size += paramsKey.utf8CodeUnitCount + params.count }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeStaticString(prefix)
        buffer.writeStaticString(idKey)
        buffer.writeBytes(idBytes)
        buffer.writeStaticString(methodKey)
        JSONString.write(method, to: &buffer)
        if let params {
            buffer.writeStaticString(paramsKey)
            buffer.writeBytes(params)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// `{"jsonrpc":"2.0","method":"<method>","params":<params>}` (params omitted when nil).
    public static func notification(method: String, params: [UInt8]?) -> ByteBuffer {
        var size = prefix.utf8CodeUnitCount + methodKey.utf8CodeUnitCount + JSONString.encodedCount(method) + 1
        if let params { size += paramsKey.utf8CodeUnitCount + params.count }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeStaticString(prefix)
        buffer.writeStaticString(methodKey)
        JSONString.write(method, to: &buffer)
        if let params {
            buffer.writeStaticString(paramsKey)
            buffer.writeBytes(params)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// `{"jsonrpc":"2.0","id":<id>,"result":<result>}`.
    public static func result(idBytes: [UInt8], result: [UInt8]) -> ByteBuffer {
        let size = prefix.utf8CodeUnitCount + idKey.utf8CodeUnitCount + idBytes.count
            + resultKey.utf8CodeUnitCount + result.count + 1
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeStaticString(prefix)
        buffer.writeStaticString(idKey)
        buffer.writeBytes(idBytes)
        buffer.writeStaticString(resultKey)
        buffer.writeBytes(result)
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// `{"jsonrpc":"2.0","id":<id or null>,"error":{"code":<code>,"message":"<message>","data":<data>}}`
    /// (data omitted when nil).
    public static func errorResponse(
        idBytes: [UInt8]?, code: JSONRPCErrorCode, message: String, data: [UInt8]? = nil
    ) -> ByteBuffer {
        let codeValue = Int64(code.rawValue)
        var size = prefix.utf8CodeUnitCount + idKey.utf8CodeUnitCount + (idBytes?.count ?? 4)
        size += errorKey.utf8CodeUnitCount + DecimalWriter.count(codeValue)
        size += messageKey.utf8CodeUnitCount + JSONString.encodedCount(message)
        if let data { size += dataKey.utf8CodeUnitCount + data.count }
        size += 2
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeStaticString(prefix)
        buffer.writeStaticString(idKey)
        if let idBytes {
            buffer.writeBytes(idBytes)
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(errorKey)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: DecimalWriter.count(codeValue)) { target in
            DecimalWriter.write(codeValue, into: target)
        }
        buffer.writeStaticString(messageKey)
        JSONString.write(message, to: &buffer)
        if let data {
            buffer.writeStaticString(dataKey)
            buffer.writeBytes(data)
        }
        buffer.writeStaticString("}}")
        return buffer
    }

    /// An error response for a scan failure, echoing the id when it was recovered (never for parse errors).
    public static func errorResponse(for error: JSONRPCScanError) -> ByteBuffer {
        let idBytes = error.code == .invalidRequest ? error.idBytes : nil
        return errorResponse(idBytes: idBytes, code: error.code, message: error.message)
    }

    private static let prefix: StaticString = "{\"jsonrpc\":\"2.0\""
    private static let idKey: StaticString = ",\"id\":"
    private static let methodKey: StaticString = ",\"method\":"
    private static let paramsKey: StaticString = ",\"params\":"
    private static let resultKey: StaticString = ",\"result\":"
    private static let errorKey: StaticString = ",\"error\":{\"code\":"
    private static let messageKey: StaticString = ",\"message\":"
    private static let dataKey: StaticString = ",\"data\":"
}

import NIOCore

/// The messages the benchmarks feed in: `tools/call` requests of three sizes and a response.
public enum SampleMessages {
    /// The exposed tool name (as a proxy with the `<upstream>__` namespace shows it).
    public static let exposedTool = "fast__echo"
    /// The tool's name at its upstream.
    public static let originalTool = "echo"

    /// A typical `tools/call` of about 300 bytes, with a string id and a progress token.
    public static let small: ByteBuffer = request(arguments: smallArguments)

    /// The arguments of the small call.
    public static let smallArguments =
        #"{"path":"Sources/App/main.swift","query":"func handle(request:)","options":{"caseSensitive":false,"maxResults":20,"include":["*.swift","*.md"]},"note":"line\nbreak \u00e9"}"#

    /// A `tools/call` whose arguments hold about 10 KB (a file's text, with escapes).
    public static let medium: ByteBuffer = {
        var text = ""
        while text.utf8.count < 10_000 {
            text += #"    let value = try container.decode(String.self, forKey: .name) // \"quoted\" \t tab\n"#
        }
        return request(arguments: #"{"path":"Sources/App/Model.swift","content":""# + text + #"","overwrite":true}"#)
    }()

    /// A `tools/call` whose arguments hold about 1 MB of structured rows.
    public static let large: ByteBuffer = {
        var rows: [String] = []
        var size = 0
        var index = 0
        while size < 1_000_000 {
            let row = #"{"id":\#(index),"name":"row \#(index)","value":\#(Double(index) * 1.25),"tags":["alpha","beta"],"ok":true,"parent":null}"#
            rows.append(row)
            size += row.utf8.count + 1
            index += 1
        }
        return request(arguments: #"{"table":"measurements","rows":["# + rows.joined(separator: ",") + "]}")
    }()

    /// What an upstream answers to the small call (id 7, the id the proxy gave the request).
    public static let response: ByteBuffer = ByteBuffer(
        string: #"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"{\"path\":\"Sources/App/main.swift\",\"matches\":3,\"first\":\"func handle(request:) at line 42\"}"}],"isError":false}}"#)

    /// The small call as the proxy forwards it: id 7, original tool name, token 7.
    public static let forwardedSmall: ByteBuffer = request(arguments: smallArguments, id: "7", tool: originalTool, token: "7")

    /// `{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"name":"TOOL","arguments":ARGS,"_meta":{"progressToken":TOKEN}}}`
    public static func request(arguments: String, id: String = #""req-1234""#, tool: String = exposedTool, token: String = #""tok-1234""#) -> ByteBuffer {
        ByteBuffer(string: #"{"jsonrpc":"2.0","id":"# + id + #","method":"tools/call","params":{"name":""# + tool + #"","arguments":"# + arguments + #","_meta":{"progressToken":"# + token + "}}}")
    }
}

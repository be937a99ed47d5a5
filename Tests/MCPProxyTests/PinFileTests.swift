import Foundation
import JSONRPC
@testable import MCPProxy
import MCPSecurity
import Synchronization
import Testing

/// The pin file: reading, atomic writing, and what a bad file says.
@Suite struct PinFileTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func pin(_ description: String, name: String = "t") throws -> PinFile.Pin {
        PinFile.Pin(approving: try JSONValue(parsing: Array(#"{"name":"\#(name)","description":"\#(description)","inputSchema":{"type":"object"}}"#.utf8)))
    }

    @Test func aMissingFileIsEmpty() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try PinFile.load(path: directory.appendingPathComponent("none.json").path) == PinFile())
    }

    @Test func savesAndReadsBack() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pins.json").path
        var file = PinFile()
        file.servers["alpha"] = ["t": try Self.pin("one"), "u": try Self.pin("two", name: "u")]
        file.servers["beta"] = ["x": try Self.pin("three", name: "x")]
        try file.save(path: path)
        let read = try PinFile.load(path: path)
        #expect(read == file)
        #expect(read.pin(server: "alpha", tool: "t")?.definition["description"]?.stringValue == "one")
        // Indented, keys sorted, one trailing newline: a file people can diff.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("{\n  \"servers\": {\n    \"alpha\": {"))
        #expect(text.hasSuffix("\n  \"version\": 1\n}\n"))
        // Only the file is left: the temporary file was renamed over it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["pins.json"])
    }

    @Test func aWriteReplacesTheFileAtomically() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pins.json").path
        // Big enough that a non-atomic write would be seen half done.
        func file(_ generation: Int) throws -> PinFile {
            var file = PinFile()
            for index in 0..<300 {
                file.servers["s", default: [:]]["tool\(index)"] = try Self.pin(String(repeating: "g\(generation) ", count: 20), name: "tool\(index)")
            }
            return file
        }
        try file(0).save(path: path)
        let files = try (1...20).map(file)
        let done = Mutex(false)
        let writer = Task.detached {
            defer { done.withLock { $0 = true } }
            for next in files { try next.save(path: path) }
        }
        var reads = 0
        while !done.withLock({ $0 }) {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            let parsed = try PinFile.parse(bytes, path: path)
            #expect(parsed.servers["s"]?.count == 300, "a reader saw a partial file")
            reads += 1
        }
        #expect(reads > 0)
        try await writer.value
        #expect(try PinFile.load(path: path) == files.last)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["pins.json"])
    }

    @Test func aWriteIntoAMissingDirectoryFailsClearly() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("no/such/dir/pins.json").path
        #expect(throws: PinFileError.self) { try PinFile().save(path: path) }
        do {
            try PinFile().save(path: path)
        } catch {
            #expect(error.message.contains("must exist and be writable"), "\(error)")
        }
    }

    @Test func badFilesAreNamed() throws {
        #expect(throws: PinFileError.self) { try PinFile.parse(Array("{not json".utf8), path: "p.json") }
        #expect(throws: PinFileError.self) { try PinFile.parse(Array(#"{"servers":[]}"#.utf8), path: "p.json") }
        #expect(throws: PinFileError.self) {
            try PinFile.parse(Array(#"{"servers":{"a":{"t":{"fingerprint":"sha1:00"}}}}"#.utf8), path: "p.json")
        }
        do {
            _ = try PinFile.parse(Array("{not json".utf8), path: "p.json")
        } catch {
            #expect(error.description.hasPrefix("pin file p.json: it is not valid JSON"), "\(error)")
        }
        // Whitespace only is an empty file, as a missing one.
        #expect(try PinFile.parse(Array(" \n".utf8), path: "p.json") == PinFile())
    }

    @Test func selectors() {
        #expect(PinSelector(parsing: nil) == .all)
        #expect(PinSelector(parsing: "alpha") == PinSelector(server: "alpha", tool: nil))
        #expect(PinSelector(parsing: "alpha/a/b") == PinSelector(server: "alpha", tool: "a/b"))
        #expect(PinSelector(parsing: "alpha/").covers(server: "alpha", tool: "x"))
        #expect(!PinSelector(parsing: "alpha/t").covers(server: "alpha", tool: "u"))
        #expect(!PinSelector(parsing: "alpha").covers(server: "beta", tool: "t"))
    }
}


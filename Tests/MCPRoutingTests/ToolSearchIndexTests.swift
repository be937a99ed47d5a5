import Testing

@testable import MCPRouting

/// The tools of `mcp-server-git` and `mcp-server-time` as the proxy exposes them (names
/// namespaced, descriptions and parameter texts as those servers list them).
private let gitAndTime: [ToolSearchDocument] = [
    .init(name: "git__git_status", description: "Shows the working tree status", parameters: "repo_path"),
    .init(name: "git__git_diff_unstaged", description: "Shows changes in the working directory that are not yet staged", parameters: "repo_path context_lines"),
    .init(name: "git__git_diff_staged", description: "Shows changes that are staged for commit", parameters: "repo_path context_lines"),
    .init(name: "git__git_diff", description: "Shows differences between branches or commits", parameters: "repo_path target context_lines"),
    .init(name: "git__git_commit", description: "Records changes to the repository", parameters: "repo_path message"),
    .init(name: "git__git_add", description: "Adds file contents to the staging area", parameters: "repo_path files"),
    .init(name: "git__git_reset", description: "Unstages all staged changes", parameters: "repo_path"),
    .init(name: "git__git_log", description: "Shows the commit logs", parameters: """
        repo_path max_count start_timestamp Start timestamp for filtering commits. Accepts: ISO 8601 format (e.g., '2024-01-15T14:30:25'), \
        relative dates (e.g., '2 weeks ago', 'yesterday'), or absolute dates (e.g., '2024-01-15', 'Jan 15 2024') end_timestamp End timestamp \
        for filtering commits. Accepts: ISO 8601 format (e.g., '2024-01-15T14:30:25'), relative dates (e.g., '2 weeks ago', 'yesterday'), \
        or absolute dates (e.g., '2024-01-15', 'Jan 15 2024')
        """),
    .init(name: "git__git_create_branch", description: "Creates a new branch from an optional base branch", parameters: "repo_path branch_name base_branch"),
    .init(name: "git__git_checkout", description: "Switches branches", parameters: "repo_path branch_name"),
    .init(name: "git__git_show", description: "Shows the contents of a commit, or of a file or directory given as <revision>:<path>", parameters: "repo_path revision"),
    .init(name: "git__git_branch", description: "List Git branches", parameters: """
        repo_path The path to the Git repository. branch_type Whether to list local branches ('local'), remote branches ('remote') or all \
        branches('all'). contains The commit sha that branch should contain. Do not pass anything to this param if no commit sha is specified \
        not_contains The commit sha that branch should NOT contain. Do not pass anything to this param if no commit sha is specified
        """),
    .init(name: "time__get_current_time", description: "Get current time in a specific timezone", parameters: """
        timezone IANA timezone name (e.g., 'America/New_York', 'Europe/London'). Use 'UTC' as local timezone if no timezone provided by the user.
        """),
    .init(name: "time__convert_time", description: "Convert time between timezones", parameters: """
        source_timezone Source IANA timezone name (e.g., 'America/New_York', 'Europe/London'). Use 'UTC' as local timezone if no source \
        timezone provided by the user. time Time to convert in 24-hour format (HH:MM) target_timezone Target IANA timezone name \
        (e.g., 'Asia/Tokyo', 'America/San_Francisco'). Use 'UTC' as local timezone if no target timezone provided by the user.
        """),
]

private func names(_ hits: [ToolSearchHit], in documents: [ToolSearchDocument] = gitAndTime) -> [String] {
    hits.map { documents[$0.document].name }
}

@Suite struct ToolSearchTokenizerTests {
    @Test func splitsSnakeCamelAndNamespaces() {
        #expect(ToolSearchTokenizer.terms("git__git_log") == ["git", "git", "log"])
        #expect(ToolSearchTokenizer.terms("getCurrentTime") == ["get", "current", "time"])
        #expect(ToolSearchTokenizer.terms("HTTPServer parseJSONBody") == ["http", "server", "parse", "json", "body"])
        #expect(ToolSearchTokenizer.terms("kebab-case.dotted/path") == ["kebab", "case", "dotted", "path"])
        #expect(ToolSearchTokenizer.terms("sha256Sum utf8") == ["sha256", "sum", "utf8"])
    }

    @Test func lowercasesDropsStopWordsAndSingleLetters() {
        #expect(ToolSearchTokenizer.terms("Shows the commit logs, e.g. of A branch") == ["show", "commit", "log", "branch"])
        #expect(ToolSearchTokenizer.terms("  ,, -- ") == [])
        #expect(ToolSearchTokenizer.terms("") == [])
    }

    @Test func stemsPluralsOnly() {
        #expect(ToolSearchTokenizer.stem("commits") == "commit")
        #expect(ToolSearchTokenizer.stem("branches") == "branch")
        #expect(ToolSearchTokenizer.stem("directories") == "directory")
        #expect(ToolSearchTokenizer.stem("addresses") == "address")
        #expect(ToolSearchTokenizer.stem("boxes") == "box")
        #expect(ToolSearchTokenizer.stem("timezones") == "timezone")
        #expect(ToolSearchTokenizer.stem("status") == "status")
        #expect(ToolSearchTokenizer.stem("process") == "process")
        #expect(ToolSearchTokenizer.stem("analysis") == "analysis")
        #expect(ToolSearchTokenizer.stem("gas") == "gas")
    }

    @Test func nonASCIILettersAreWords() {
        #expect(ToolSearchTokenizer.terms("Übersicht der Größe") == ["übersicht", "der", "größe"])
        #expect(ToolSearchTokenizer.terms("naïveCafé") == ["naïve", "café"])
    }
}

@Suite struct ToolSearchIndexTests {
    let index = ToolSearchIndex(gitAndTime)

    @Test func commitHistoryFindsGitLogFirst() {
        let hits = index.search("commit history", limit: 5)
        #expect(names(hits).first == "git__git_log")
        // Without synonyms "history" matches nothing and the tool named "commit" wins: the
        // synonym table is what bridges the user's word and the tool's.
        let plain = ToolSearchIndex(gitAndTime, synonyms: .none)
        #expect(names(plain.search("commit history", limit: 1)) == ["git__git_commit"])
    }

    @Test func ranksByRelevance() {
        #expect(names(index.search("current time", limit: 1)) == ["time__get_current_time"])
        #expect(names(index.search("convert a time to another timezone", limit: 1)) == ["time__convert_time"])
        #expect(names(index.search("switch branch", limit: 1)) == ["git__git_checkout"])
        #expect(names(index.search("stage files", limit: 1)) == ["git__git_add"])
        #expect(names(index.search("git_status", limit: 1)) == ["git__git_status"])
        // Scores are strictly ordered and positive for matches.
        let hits = index.search("diff staged changes", limit: 20)
        #expect(names(hits).first == "git__git_diff_staged")
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(hits.allSatisfy { $0.score > 0 })
    }

    @Test func nameMatchesOutweighDescriptionMatches() {
        let documents: [ToolSearchDocument] = [
            .init(name: "describe_thing", description: "Looks at the weather"),
            .init(name: "weather_now", description: "Describes the sky"),
        ]
        let hits = ToolSearchIndex(documents).search("weather", limit: 2)
        #expect(names(hits, in: documents) == ["weather_now", "describe_thing"])
    }

    @Test func limitCapsResults() {
        #expect(index.search("git", limit: 3).count == 3)
        #expect(index.search("git", limit: 100).count == 12)
        #expect(index.search("git", limit: 0).isEmpty)
        #expect(index.search("git", limit: -1).isEmpty)
        #expect(index.search("git", limit: Int.max).count == 12)
        #expect(index.search("", limit: Int.max).count == gitAndTime.count)
    }

    @Test func emptyQueryListsInCatalogOrder() {
        let hits = index.search("", limit: 4)
        #expect(names(hits) == ["git__git_status", "git__git_diff_unstaged", "git__git_diff_staged", "git__git_diff"])
        #expect(hits.allSatisfy { $0.score == 0 })
        #expect(names(index.search("the of and", limit: 1)) == ["git__git_status"])
    }

    @Test func noMatchIsEmpty() {
        #expect(index.search("kubernetes pod", limit: 10).isEmpty)
        #expect(ToolSearchIndex([]).search("anything", limit: 10).isEmpty)
    }

    @Test func tiesAreBrokenByCatalogOrder() {
        let documents: [ToolSearchDocument] = [
            .init(name: "b_copy", description: "Copies a file"),
            .init(name: "a_copy", description: "Copies a file"),
            .init(name: "c_copy", description: "Copies a file"),
        ]
        let index = ToolSearchIndex(documents)
        for _ in 0..<5 {
            let hits = index.search("copy file", limit: 3)
            #expect(hits.map(\.document) == [0, 1, 2])
            #expect(hits[0].score == hits[1].score && hits[1].score == hits[2].score)
        }
    }

    @Test func tiesKeepCatalogOrderWhateverTermMatchedFirst() {
        // "zeta" (document 1) is scored before "copy" (document 0); both score the same.
        let documents: [ToolSearchDocument] = [
            .init(name: "copy_thing", description: "Same words here"),
            .init(name: "zeta_thing", description: "Same words here"),
            .init(name: "other_thing", description: "Same words here"),
        ]
        let hits = ToolSearchIndex(documents).search("zeta copy", limit: 2)
        #expect(hits.map(\.document) == [0, 1])
        #expect(hits[0].score == hits[1].score)
    }

    @Test func filterAppliesBeforeLimit() {
        // The principal may not see git_log: the next best tools fill the limit instead.
        let hidden = gitAndTime.firstIndex { $0.name == "git__git_log" }
        let hits = index.search("commit history", limit: 3) { $0 != hidden }
        #expect(hits.count == 3)
        #expect(!names(hits).contains("git__git_log"))
        let none = index.search("", limit: 5) { _ in false }
        #expect(none.isEmpty)
    }

    @Test func repeatedQueryTermsCountOnce() {
        let once = index.search("commit", limit: 3)
        let thrice = index.search("commit commit COMMITS", limit: 3)
        #expect(once == thrice)
    }

    @Test func logarithmIsAccurate() {
        // ln(1 + (N − n + 0.5)/(n + 0.5)) for a catalog of 14 tools and a term in one of them.
        let value = 1 + (14.0 - 1 + 0.5) / 1.5
        #expect(abs(ToolSearchIndex.log(value) - 2.302_585_092_994_046) < 1e-12)
        #expect(abs(ToolSearchIndex.log(1) - 0) < 1e-15)
        #expect(abs(ToolSearchIndex.log(1e6) - 13.815_510_557_964_274) < 1e-9)
        #expect(abs(ToolSearchIndex.log(0.25) + 1.386_294_361_119_890_6) < 1e-12)
    }
}

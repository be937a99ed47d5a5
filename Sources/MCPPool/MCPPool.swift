/// MCPPool: a generic pool of upstream sessions over a small connection protocol.
public enum MCPPool {}

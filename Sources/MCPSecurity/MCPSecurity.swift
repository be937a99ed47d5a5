// MCPSecurity: who is calling and what they may do. `Principal` lives in JSONRPC's pipeline
// vocabulary (transports bind sessions to it); it is re-exported here for users of this module.
@_exported import JSONRPC

/* The public header compiled as C by the package itself, so a header a C compiler rejects
 * cannot ship. The functions it declares are implemented in Swift (Sources/MCPProxyC). */
#include "mcpproxy.h"

_Static_assert(MCPPROXY_ABI_VERSION == 1, "MCPProxyC implements ABI version 1");
_Static_assert(sizeof(mcpproxy_policy_request) == 5 * sizeof(const char *), "mcpproxy_policy_request is five string pointers");

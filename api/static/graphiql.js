// usermgmt's GraphiQL: queries and mutations go by POST to /graphql, the commandStatus
// subscription over a WebSocket to the same path (graphql-transport-ws). What the Headers tab
// holds goes with both: {"Authorization": "Bearer <token>"} as a header, and as the payload of
// connection_init, where the server reads the token of a WebSocket. The page holds no token of
// its own: `usermgmt token --admin` prints one.
(function () {
  "use strict";

  const url = new URL("/graphql", window.location.href);
  const subscriptionUrl = new URL(url.href);
  subscriptionUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";

  const HEADERS = '{\n  "Authorization": "Bearer PASTE-TOKEN-HERE"\n}\n';
  const QUERY = [
    "# usermgmt GraphiQL, in three steps:",
    "#",
    "# 1. In a terminal: usermgmt token --admin",
    "#    (or --sub SUB for a user's token)",
    "# 2. In the Headers tab below, put that token",
    "#    in place of PASTE-TOKEN-HERE",
    "# 3. Re-fetch the schema: the circular arrow at",
    "#    the bottom left (or Shift-Ctrl-R).",
    "#    Run an operation with Ctrl-Enter.",
    "#",
    "# Subscriptions go over the WebSocket, e.g.",
    "# subscription {",
    '#   commandStatus(commandId: "...") { status }',
    "# }",
    "",
    "{",
    "  me { id email }",
    "  users(first: 5) { edges { node { id email } } }",
    "}",
    "",
  ].join("\n");

  const fetcher = GraphiQL.createFetcher({
    url: url.href,
    subscriptionUrl: subscriptionUrl.href,
  });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: QUERY,
      defaultHeaders: HEADERS,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    }),
  );
})();

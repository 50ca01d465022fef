// The GraphQL client: urql over HTTP (apiUrl) for queries and mutations, graphql-ws for
// subscriptions (commandStatus), both with the session's bearer token. The socket carries the
// token in connection_init as {"Authorization": "Bearer <token>"}, as the server reads it.
import { Client, fetchExchange, mapExchange, subscriptionExchange } from "@urql/core";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { wsUrlOf, type Config } from "./config";

export interface ApiClient {
  client: Client;
  /** Closes the socket: call when the token changes or the session ends. */
  dispose(): void;
}

export function makeClient(
  config: Config,
  token: string,
  onUnauthenticated: () => void,
): ApiClient {
  // Made on the first subscription, and again after dispose (React's StrictMode unmounts and
  // mounts once in development, and the client must survive it).
  let ws: WsClient | null = null;
  const socket = (): WsClient =>
    (ws ??= createWsClient({
      url: wsUrlOf(config),
      connectionParams: { Authorization: `Bearer ${token}` },
      lazy: true,
      lazyCloseTimeout: 30_000, // one socket for a burst of commands, not one each
      keepAlive: 30_000, // API Gateway closes a socket idle for 10 minutes
      retryAttempts: 5,
    }));
  const client = new Client({
    url: config.apiUrl,
    // No document cache: an admin console shows the views as they are now, and a mutation's
    // effect arrives later (APPLIED), so every read goes to the server.
    requestPolicy: "network-only",
    fetchOptions: () => ({
      headers: { Authorization: `Bearer ${token}`, Accept: "application/graphql-response+json" },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.response instanceof Response && error.response.status === 401) {
            onUnauthenticated();
          }
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = socket().subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return {
    client,
    dispose() {
      void ws?.dispose();
      ws = null;
    },
  };
}

// Every page of a connection, read one after the other (`after` = the previous endCursor):
// the Roles, Authorizations and Groups pages show whole lists (a tree needs every group), and
// the pages stay small enough for the API's node limit. Stops after `maxPages` (said in
// `truncated`), so a huge list cannot keep the page loading for ever.
import { useCallback, useEffect, useState } from "react";
import { useClient } from "urql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

export interface Connection<Node> {
  edges: readonly { node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

export interface AllPages<Node> {
  nodes: Node[];
  /** True until the first load ends (later reloads keep showing the previous nodes). */
  loading: boolean;
  error: string | null;
  truncated: boolean;
  reload(): void;
}

export function useAllPages<Data, Node>(
  document: TypedDocumentNode<Data, { after?: string | null }>,
  connectionOf: (data: Data) => Connection<Node>,
  maxPages = 50,
): AllPages<Node> {
  const client = useClient();
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<Omit<AllPages<Node>, "reload">>({
    nodes: [],
    loading: true,
    error: null,
    truncated: false,
  });
  const select = useCallbackRef(connectionOf);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const nodes: Node[] = [];
      let after: string | null = null;
      for (let page = 0; page < maxPages; page += 1) {
        const result = await client
          .query(document, { after }, { requestPolicy: "network-only" })
          .toPromise();
        if (cancelled) return;
        if (result.error || !result.data) {
          const message = result.error?.message ?? "No answer";
          setState((s) => ({ ...s, loading: false, error: message }));
          return;
        }
        const connection = select(result.data);
        nodes.push(...connection.edges.map((edge) => edge.node));
        after = connection.pageInfo.endCursor ?? null;
        if (!connection.pageInfo.hasNextPage || after === null) {
          setState({ nodes, loading: false, error: null, truncated: false });
          return;
        }
      }
      setState({ nodes, loading: false, error: null, truncated: true });
    })();
    return () => {
      cancelled = true;
    };
  }, [client, document, select, maxPages, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

// A stable function that always calls the latest `fn` (callers pass inline arrows).
function useCallbackRef<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const [holder] = useState<{ current: (...args: A) => R }>(() => ({ current: fn }));
  holder.current = fn;
  return useCallback((...args: A) => holder.current(...args), [holder]);
}

// One mutation that returns a CommandReceipt, followed live to its end: the receipt, then the
// commandStatus subscription (graphql-ws) until APPLIED, REJECTED or FAILED. A refusal before
// anything was queued (BAD_USER_INPUT with extensions.field) ends as REJECTED the same way, so
// a form shows both kinds on the input they name.
//
//   const create = useCommand(CreateUserDocument, (data) => data.createUser);
//   const end = await create.run({ input });      // resolves with the terminal state
//   <input {...create.bind("email")} />  <FieldMessage command={create} field="email" />
//   <CommandProgress command={create} />          // role="status": QUEUED … APPLIED
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useClient } from "urql";
import type { CombinedError } from "@urql/core";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  CommandNowDocument,
  CommandStatusDocument,
  type CommandStatus,
  type ReceiptFragment,
} from "../gql/graphql";
import { isObject } from "../config";

export interface CommandError {
  code: string;
  message: string;
  field: string | null;
}

export interface CommandState {
  /** null: nothing run yet; "SENDING": the mutation is on its way. */
  status: CommandStatus | "SENDING" | null;
  commandId: string | null;
  aggregateId: string | null;
  error: CommandError | null;
}

export interface Command<Variables> {
  state: CommandState;
  /** True from run() until the command's terminal status. */
  busy: boolean;
  run(variables: Variables): Promise<CommandState>;
  reset(): void;
  /** The error on this input field, if the command was refused because of it. */
  fieldError(field: string): CommandError | null;
  /** Props for the input named by `field`: aria-invalid and aria-describedby on error. */
  bind(field: string): FieldBinding;
  /** The id of the message element of `field` (FieldMessage renders it). */
  messageId(field: string): string;
  /** Whether the form shows an input for `field` (bind was called for it). */
  hasField(field: string): boolean;
}

export interface FieldBinding {
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

const IDLE: CommandState = { status: null, commandId: null, aggregateId: null, error: null };
const TERMINAL: ReadonlySet<string> = new Set(["APPLIED", "REJECTED", "FAILED"]);
const POLL_MS = 400;

export function isTerminal(status: CommandState["status"]): boolean {
  return status !== null && TERMINAL.has(status);
}

export function useCommand<Data, Variables extends Record<string, unknown>>(
  document: TypedDocumentNode<Data, Variables>,
  receiptOf: (data: Data) => ReceiptFragment | null | undefined,
): Command<Variables> {
  const client = useClient();
  const [state, setState] = useState<CommandState>(IDLE);
  const prefix = useId();
  const fields = useRef(new Set<string>());
  const stops = useRef(new Set<() => void>());
  const mounted = useRef(true);
  const receiptRef = useRef(receiptOf);
  receiptRef.current = receiptOf;

  useEffect(() => {
    mounted.current = true;
    const active = stops.current;
    return () => {
      mounted.current = false;
      active.forEach((stop) => stop());
      active.clear();
    };
  }, []);

  const update = useCallback((next: CommandState) => {
    if (mounted.current) setState(next);
  }, []);

  const follow = useCallback(
    (receipt: ReceiptFragment): Promise<CommandState> =>
      new Promise((resolve) => {
        let last: CommandState = {
          status: receipt.status,
          commandId: receipt.commandId,
          aggregateId: receipt.aggregateId,
          error: null,
        };
        update(last);
        let done = false;
        let timer: number | undefined;
        const finish = () => {
          done = true;
          if (timer !== undefined) window.clearTimeout(timer);
          subscription.unsubscribe();
          stops.current.delete(stop);
          resolve(last);
        };
        const stop = () => {
          if (!done) finish();
        };
        const see = (command: {
          status: CommandStatus;
          aggregateId: string | null;
          error: CommandError | null;
        }) => {
          last = {
            status: command.status,
            commandId: receipt.commandId,
            aggregateId: command.aggregateId ?? receipt.aggregateId,
            error: command.error,
          };
          update(last);
          if (TERMINAL.has(command.status)) finish();
        };
        // Without a socket (or when it fails), ask for the command's status until it ends.
        const poll = () => {
          if (done) return;
          void client
            .query(CommandNowDocument, { commandId: receipt.commandId })
            .toPromise()
            .then((result) => {
              const command = result.data?.command;
              if (command) see(command);
              if (!done) timer = window.setTimeout(poll, POLL_MS);
            });
        };
        const subscription = client
          .subscription(CommandStatusDocument, { commandId: receipt.commandId })
          .subscribe((result) => {
            if (done) return;
            if (result.error) {
              if (timer === undefined) poll();
              return;
            }
            const command = result.data?.commandStatus;
            if (command) see(command);
          });
        stops.current.add(stop);
      }),
    [client, update],
  );

  const run = useCallback(
    async (variables: Variables): Promise<CommandState> => {
      update({ ...IDLE, status: "SENDING" });
      const result = await client.mutation(document, variables).toPromise();
      const receipt = result.data ? receiptRef.current(result.data) : null;
      if (!receipt) {
        const refused: CommandState = {
          ...IDLE,
          status: result.error?.networkError ? "FAILED" : "REJECTED",
          error: errorOf(result.error),
        };
        update(refused);
        return refused;
      }
      return follow(receipt);
    },
    [client, document, follow, update],
  );

  return useMemo<Command<Variables>>(() => {
    const messageId = (field: string) => `${prefix}-${field}-message`;
    const fieldError = (field: string) =>
      state.status === "REJECTED" && state.error?.field === field ? state.error : null;
    return {
      state,
      busy: state.status !== null && !isTerminal(state.status),
      run,
      reset: () => update(IDLE),
      fieldError,
      messageId,
      bind(field) {
        fields.current.add(field);
        return fieldError(field)
          ? { "aria-invalid": true, "aria-describedby": messageId(field) }
          : {};
      },
      hasField: (field) => fields.current.has(field),
    };
  }, [state, run, update, prefix]);
}

/** The refusal of a mutation that queued nothing: its first GraphQL error, with its field. */
function errorOf(error: CombinedError | undefined): CommandError {
  const first = error?.graphQLErrors[0];
  if (first) {
    const extensions = isObject(first.extensions) ? first.extensions : {};
    const code = extensions["code"];
    const field = extensions["field"];
    return {
      code: typeof code === "string" ? code : "ERROR",
      message: first.message,
      field: typeof field === "string" ? lastSegment(field) : null,
    };
  }
  return { code: "NETWORK", message: error?.networkError?.message ?? "No answer", field: null };
}

// "input.email" and "email" both name the Email input.
function lastSegment(field: string): string {
  return field.split(".").pop() ?? field;
}

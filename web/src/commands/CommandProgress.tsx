// The live status of a command: role="status" with its status word (QUEUED, ACCEPTED,
// APPLIED, REJECTED, FAILED); the error's message too when no input of the form shows it.
import type { Command, CommandState } from "./useCommand";

interface Props<V> {
  command: Command<V>;
  /** What the command does, before its status: "Create user: APPLIED". */
  label?: string;
  className?: string;
}

export function CommandProgress<V>({ command, label, className }: Props<V>) {
  const { state } = command;
  // A REJECTED command's message goes next to the input it names, when the form has it.
  const field = state.error?.field;
  const onInput = state.status === "REJECTED" && field != null && command.hasField(field);
  return <StatusText state={state} label={label} className={className} showError={!onInput} />;
}

interface StatusTextProps {
  state: CommandState;
  label?: string | undefined;
  className?: string | undefined;
  /** Show the error's message (default): false when an input shows it. */
  showError?: boolean;
}

/** A command state as role="status" text: for a copy kept after the command (a table row). */
export function StatusText({ state, label, className, showError = true }: StatusTextProps) {
  const { status, error } = state;
  if (status === null) return null;
  const word = status === "SENDING" ? "Sending…" : status;
  return (
    <span
      role="status"
      className={`command-status status-${status.toLowerCase()} ${className ?? ""}`}
    >
      {label ? `${label}: ` : ""}
      <strong>{word}</strong>
      {showError && error !== null ? ` — ${error.message}` : null}
    </span>
  );
}

/** The error message of one input, with the id its aria-describedby points at. */
export function FieldMessage<V>({ command, field }: { command: Command<V>; field: string }) {
  const error = command.fieldError(field);
  if (error === null) return null;
  return (
    <span id={command.messageId(field)} className="field-error">
      {error.message}
    </span>
  );
}

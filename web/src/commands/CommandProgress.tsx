// The live status of a command: role="status" with its status word (QUEUED, ACCEPTED,
// APPLIED, REJECTED, FAILED); the error's message too when no input of the form shows it.
import type { Command } from "./useCommand";

interface Props<V> {
  command: Command<V>;
  /** What the command does, before its status: "Create user: APPLIED". */
  label?: string;
  className?: string;
}

export function CommandProgress<V>({ command, label, className }: Props<V>) {
  const { status, error } = command.state;
  if (status === null) return null;
  const word = status === "SENDING" ? "Sending…" : status;
  // A REJECTED command's message goes next to the input it names, when the form has it.
  const onInput = status === "REJECTED" && error?.field != null && command.hasField(error.field);
  const showError = error !== null && !onInput;
  return (
    <p role="status" className={`command-status status-${status.toLowerCase()} ${className ?? ""}`}>
      {label ? `${label}: ` : ""}
      <strong>{word}</strong>
      {showError ? ` — ${error.message}` : null}
    </p>
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

// A page's commands and which one ran last: the page shows one live status (role="status") for
// the last command run, wherever it was started (a form, a row's button), so that a test or a
// screen reader finds one status, not one per form.
import { useState } from "react";

export interface LastCommand<K extends string> {
  which: K | null;
  label: string;
  mark(which: K, label: string): void;
}

export function useLastCommand<K extends string>(): LastCommand<K> {
  const [last, setLast] = useState<{ which: K; label: string } | null>(null);
  return {
    which: last?.which ?? null,
    label: last?.label ?? "",
    mark: (which, label) => setLast({ which, label }),
  };
}

/** Whether two id lists hold the same ids (in any order). */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

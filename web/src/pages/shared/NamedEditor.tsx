// The create and edit form of a named thing (a role, an authorization, a group): its "Create …"
// button, Name and Description, the thing's own fields (children), Create or Save and Cancel,
// and the page's one live status for its create, update and delete commands, shown in the form
// when the form's own command ran last and below it otherwise.
import type { FormEvent, ReactNode } from "react";
import { CommandProgress } from "../../commands/CommandProgress";
import type { Command } from "../../commands/useCommand";
import { TextField } from "../../components/fields";
import type { LastCommand } from "./useLastCommand";

export type EditorCommand = "create" | "update" | "delete";

interface Named {
  name: string;
  description: string;
}

interface Props<V extends Named> {
  thing: string; // "role": names the button and the form ("Create role", "Edit role")
  mode: "create" | "edit" | null; // the open form; null: none
  onCreate(): void;
  commands: Record<EditorCommand, Command<unknown>>;
  last: LastCommand<EditorCommand>;
  values: V;
  onValues(values: NoInfer<V>): void; // V is the values prop's type
  onSubmit(event: FormEvent): void;
  onCancel(): void;
  children?: ReactNode;
}

export function NamedEditor<V extends Named>(props: Props<V>) {
  const { thing, mode, commands, last, values, onValues } = props;
  // The form binds its inputs to the command it runs (its errors show on them).
  const command = mode === "create" ? commands.create : commands.update;
  const progress =
    last.which === null ? null : (
      <CommandProgress command={commands[last.which]} label={last.label} />
    );
  const inForm = mode !== null && last.which === (mode === "create" ? "create" : "update");
  return (
    <>
      {mode === "create" ? null : (
        <div className="toolbar">
          <button type="button" onClick={props.onCreate}>
            Create {thing}
          </button>
        </div>
      )}
      {mode ? (
        <div className="panel">
          <form
            aria-label={mode === "create" ? `Create ${thing}` : `Edit ${thing}`}
            noValidate
            onSubmit={props.onSubmit}
          >
            <TextField
              label="Name"
              field="name"
              command={command}
              value={values.name}
              onChange={(name) => onValues({ ...values, name })}
              required
              autoFocus
              autoComplete="off"
            />
            <TextField
              label="Description"
              field="description"
              command={command}
              value={values.description}
              onChange={(description) => onValues({ ...values, description })}
              required
              autoComplete="off"
            />
            {props.children}
            <div className="actions">
              <button type="submit" disabled={command.busy}>
                {mode === "create" ? "Create" : "Save"}
              </button>
              <button type="button" className="secondary" onClick={props.onCancel}>
                Cancel
              </button>
              {inForm ? progress : null}
            </div>
          </form>
        </div>
      ) : null}
      {inForm ? null : progress}
    </>
  );
}

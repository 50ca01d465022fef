// Labelled inputs wired to a command: on a REJECTED command whose error names their field, the
// input gets aria-invalid and aria-describedby pointing at the message shown beside it.
import { useEffect, useId, useRef } from "react";
import type { InputHTMLAttributes } from "react";
import { FieldMessage } from "../commands/CommandProgress";
import type { Command, FieldBinding } from "../commands/useCommand";

export interface Option {
  value: string;
  label: string;
}

interface Common<V> {
  label: string;
  /** The command's field name (email, roleIds, …): where its errors show. */
  field?: string;
  command?: Command<V>;
}

function binding<V>(command: Command<V> | undefined, field: string | undefined): FieldBinding {
  return command && field ? command.bind(field) : {};
}

/** Focus moves to an input when a command is refused because of it (the submit button, busy
 * meanwhile, had lost it). */
function useFocusWhenInvalid<E extends HTMLElement>(invalid: boolean) {
  const ref = useRef<E>(null);
  useEffect(() => {
    if (invalid) ref.current?.focus();
  }, [invalid]);
  return ref;
}

type TextProps<V> = Common<V> & {
  value: string;
  onChange: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "id">;

export function TextField<V>({ label, field, command, value, onChange, ...input }: TextProps<V>) {
  const id = useId();
  const bound = binding(command, field);
  const ref = useFocusWhenInvalid<HTMLInputElement>(bound["aria-invalid"] === true);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        name={field}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...input}
        {...bound}
      />
      {command && field ? <FieldMessage command={command} field={field} /> : null}
    </div>
  );
}

type SelectProps<V> = Common<V> & {
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  /** The label of the empty choice (value ""), or none. */
  empty?: string;
  required?: boolean;
};

export function SelectField<V>(props: SelectProps<V>) {
  const { label, field, command, value, onChange, options, empty, required } = props;
  const id = useId();
  const bound = binding(command, field);
  const ref = useFocusWhenInvalid<HTMLSelectElement>(bound["aria-invalid"] === true);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        ref={ref}
        id={id}
        name={field}
        value={value}
        required={required}
        onChange={(event) => onChange(event.target.value)}
        {...bound}
      >
        {empty !== undefined ? <option value="">{empty}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {command && field ? <FieldMessage command={command} field={field} /> : null}
    </div>
  );
}

type MultiProps<V> = Common<V> & {
  value: readonly string[];
  onChange: (value: string[]) => void;
  options: readonly Option[];
};

export function MultiSelectField<V>({
  label,
  field,
  command,
  value,
  onChange,
  options,
}: MultiProps<V>) {
  const id = useId();
  const bound = binding(command, field);
  const ref = useFocusWhenInvalid<HTMLSelectElement>(bound["aria-invalid"] === true);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        ref={ref}
        id={id}
        name={field}
        multiple
        size={Math.min(6, Math.max(3, options.length))}
        value={[...value]}
        onChange={(event) =>
          onChange(Array.from(event.target.selectedOptions, (option) => option.value))
        }
        {...bound}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {command && field ? <FieldMessage command={command} field={field} /> : null}
    </div>
  );
}

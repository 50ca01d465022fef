// A person's own inputs, shared by an admin's "Create user" and "Edit" and by "My account":
// Email, First name, Last name, Birth date. The browser may fill them from its own profile
// only when the person is the one signed in (`self`), never with an admin's data for another.
import type { Command } from "../../commands/useCommand";
import { TextField } from "../../components/fields";

export interface PersonValues {
  email: string;
  firstName: string;
  lastName: string;
  birthDate: string;
}

interface Props<P extends PersonValues, V> {
  values: P;
  onChange: (values: P) => void;
  command: Command<V>;
  self: boolean;
  autoFocus: boolean; // on Email
}

export function PersonFields<P extends PersonValues, V>(props: Props<P, V>) {
  const { values, onChange, command, self } = props;
  const set = (key: keyof PersonValues) => (value: string) => onChange({ ...values, [key]: value });
  const fill = (token: string) => (self ? token : "off");
  return (
    <>
      <TextField
        label="Email"
        field="email"
        command={command}
        type="email"
        value={values.email}
        onChange={set("email")}
        required
        autoFocus={props.autoFocus}
        autoComplete={fill("email")}
      />
      <TextField
        label="First name"
        field="firstName"
        command={command}
        value={values.firstName}
        onChange={set("firstName")}
        required
        autoComplete={fill("given-name")}
      />
      <TextField
        label="Last name"
        field="lastName"
        command={command}
        value={values.lastName}
        onChange={set("lastName")}
        required
        autoComplete={fill("family-name")}
      />
      <TextField
        label="Birth date"
        field="birthDate"
        command={command}
        type="date"
        value={values.birthDate}
        onChange={set("birthDate")}
        {...(self ? { autoComplete: "bday" } : {})}
      />
    </>
  );
}

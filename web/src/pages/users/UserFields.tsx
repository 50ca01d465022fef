// The inputs of a user, shared by "Create user" and a user's "Edit": Id, Email, First name,
// Last name, Birth date, and the Roles and Groups multi-selects.
import { useMemo } from "react";
import { useQuery } from "urql";
import { MultiSelectField, TextField, type Option } from "../../components/fields";
import type { Command } from "../../commands/useCommand";
import { RolesAndGroupsDocument } from "../../gql/graphql";
import { PersonFields, type PersonValues } from "./PersonFields";

export interface UserValues extends PersonValues {
  id: string;
  roleIds: string[];
  groupIds: string[];
}

export const EMPTY_USER: UserValues = {
  id: "",
  email: "",
  firstName: "",
  lastName: "",
  birthDate: "",
  roleIds: [],
  groupIds: [],
};

export interface Choices {
  roles: Option[];
  groups: Option[];
  error: string | null;
}

/** The roles and groups to choose from (the first 100 of each, by id). */
export function useChoices(): Choices {
  const [{ data, error }] = useQuery({ query: RolesAndGroupsDocument });
  return useMemo(() => {
    const byName = (a: Option, b: Option) => a.label.localeCompare(b.label);
    const option = ({ node }: { node: { id: string; name: string } }) => ({
      value: node.id,
      label: node.name,
    });
    return {
      roles: (data?.roles.edges ?? []).map(option).sort(byName),
      groups: (data?.groups.edges ?? []).map(option).sort(byName),
      error: error ? error.message : null,
    };
  }, [data, error]);
}

interface Props<V> {
  values: UserValues;
  onChange: (values: UserValues) => void;
  command: Command<V>;
  choices: Choices;
  /** The id cannot change once the user exists. */
  idReadOnly?: boolean;
}

export function UserFields<V>({ values, onChange, command, choices, idReadOnly }: Props<V>) {
  const set =
    <K extends keyof UserValues>(key: K) =>
    (value: UserValues[K]) =>
      onChange({ ...values, [key]: value });
  return (
    <>
      <TextField
        label="Id"
        field="id"
        command={command}
        value={values.id}
        onChange={set("id")}
        required
        readOnly={idReadOnly}
        autoFocus={!idReadOnly}
        autoComplete="off"
        placeholder="auth0|123"
      />
      <PersonFields
        values={values}
        onChange={onChange}
        command={command}
        self={false}
        autoFocus={idReadOnly === true}
      />
      <MultiSelectField
        label="Roles"
        field="roleIds"
        command={command}
        value={values.roleIds}
        onChange={set("roleIds")}
        options={choices.roles}
      />
      <MultiSelectField
        label="Groups"
        field="groupIds"
        command={command}
        value={values.groupIds}
        onChange={set("groupIds")}
        options={choices.groups}
      />
    </>
  );
}

// Roles: the table (name, description, authorizations), "Create role", and per row "Edit" and
// "Delete"; each command's live status shows below the form or above the table.
import { useState } from "react";
import type { FormEvent } from "react";
import { useCommand, type Command } from "../commands/useCommand";
import { MultiSelectField, type Option } from "../components/fields";
import {
  AuthorizationsDocument,
  CreateRoleDocument,
  DeleteRoleDocument,
  RolesDocument,
  UpdateRoleDocument,
  type RoleRowFragment,
  type UpdateRoleInput,
} from "../gql/graphql";
import { sameIds, useLastCommand } from "./shared/useLastCommand";
import { useAllPages } from "./shared/useAllPages";
import { NamedEditor, type EditorCommand } from "./shared/NamedEditor";
import "./shared/pages.css";

interface RoleValues {
  name: string;
  description: string;
  authorizationIds: string[];
}

const EMPTY: RoleValues = { name: "", description: "", authorizationIds: [] };

type Form = { mode: "create" } | { mode: "edit"; role: RoleRowFragment };

export default function RolesPage() {
  const roles = useAllPages(RolesDocument, (data) => data.roles);
  const authorizations = useAllPages(AuthorizationsDocument, (data) => data.authorizations);
  const choices: Option[] = authorizations.nodes
    .map((a) => ({ value: a.id, label: a.name }))
    .sort((a, b) => a.label.localeCompare(b.label));

  const create = useCommand(CreateRoleDocument, (data) => data.createRole);
  const update = useCommand(UpdateRoleDocument, (data) => data.updateRole);
  const remove = useCommand(DeleteRoleDocument, (data) => data.deleteRole);
  const last = useLastCommand<EditorCommand>();
  const [form, setForm] = useState<Form | null>(null);
  const [values, setValues] = useState<RoleValues>(EMPTY);

  function open(next: Form) {
    (next.mode === "create" ? create : update).reset();
    setValues(
      next.mode === "create"
        ? EMPTY
        : {
            name: next.role.name,
            description: next.role.description,
            authorizationIds: next.role.authorizations.map((a) => a.id),
          },
    );
    setForm(next);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form === null) return;
    const name = values.name.trim();
    const description = values.description.trim();
    let end;
    if (form.mode === "create") {
      last.mark("create", `Create role ${name}`);
      end = await create.run({
        input: { name, description, authorizationIds: values.authorizationIds },
      });
    } else {
      last.mark("update", `Edit role ${form.role.name}`);
      end = await update.run({ input: changesOf(form.role, values) });
    }
    if (end.status === "APPLIED") {
      setForm(null);
      roles.reload();
    }
  }

  async function deleteRole(role: RoleRowFragment) {
    last.mark("delete", `Delete role ${role.name}`);
    const end = await remove.run({ id: role.id, expectedVersion: role.version });
    if (end.status === "APPLIED") {
      if (form?.mode === "edit" && form.role.id === role.id) setForm(null);
      roles.reload();
    }
  }

  // Its own fields bind to the command the form runs (their errors show on them).
  const command: Command<unknown> = form?.mode === "create" ? create : update;

  return (
    <>
      <h1>Roles</h1>
      <NamedEditor
        thing="role"
        mode={form ? form.mode : null}
        onCreate={() => open({ mode: "create" })}
        commands={{ create, update, delete: remove }}
        last={last}
        values={values}
        onValues={setValues}
        onSubmit={(event) => void submit(event)}
        onCancel={() => setForm(null)}
      >
        <MultiSelectField
          label="Authorizations"
          field="authorizationIds"
          command={command}
          value={values.authorizationIds}
          onChange={(authorizationIds) => setValues({ ...values, authorizationIds })}
          options={choices}
        />
      </NamedEditor>

      {roles.error ? <p role="alert">Could not list the roles: {roles.error}</p> : null}
      {authorizations.error ? (
        <p role="alert">Could not list the authorizations: {authorizations.error}</p>
      ) : null}
      <table aria-label="Roles" aria-busy={roles.loading}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description</th>
            <th scope="col">Authorizations</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {roles.nodes.map((role) => (
            <tr key={role.id}>
              <td>{role.name}</td>
              <td>{role.description}</td>
              <td>{role.authorizations.map((a) => a.name).join(", ")}</td>
              <td className="row-actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={() => open({ mode: "edit", role })}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={remove.busy}
                  onClick={() => void deleteRole(role)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {!roles.loading && roles.nodes.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                No roles yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {roles.truncated ? <p className="muted">Only the first 1,000 roles are shown.</p> : null}
    </>
  );
}

/** Only what changed (an update that changes nothing is APPLIED at once), at the version read. */
function changesOf(role: RoleRowFragment, values: RoleValues): UpdateRoleInput {
  const input: UpdateRoleInput = { id: role.id, expectedVersion: role.version };
  const name = values.name.trim();
  const description = values.description.trim();
  if (name !== role.name) input.name = name;
  if (description !== role.description) input.description = description;
  const held = role.authorizations.map((a) => a.id);
  if (!sameIds(values.authorizationIds, held)) input.authorizationIds = values.authorizationIds;
  return input;
}

// Authorizations: the table (name, description), "Create authorization", and per row "Edit" and
// "Delete"; each command's live status shows below the form or above the table.
import { useState } from "react";
import type { FormEvent } from "react";
import { useCommand } from "../commands/useCommand";
import {
  AuthorizationsDocument,
  CreateAuthorizationDocument,
  DeleteAuthorizationDocument,
  UpdateAuthorizationDocument,
  type AuthorizationRowFragment,
  type UpdateAuthorizationInput,
} from "../gql/graphql";
import { useLastCommand } from "./shared/useLastCommand";
import { useAllPages } from "./shared/useAllPages";
import { NamedEditor, type EditorCommand } from "./shared/NamedEditor";
import "./shared/pages.css";

interface Values {
  name: string;
  description: string;
}

const EMPTY: Values = { name: "", description: "" };

type Form = { mode: "create" } | { mode: "edit"; authorization: AuthorizationRowFragment };

export default function AuthorizationsPage() {
  const list = useAllPages(AuthorizationsDocument, (data) => data.authorizations);
  const create = useCommand(CreateAuthorizationDocument, (data) => data.createAuthorization);
  const update = useCommand(UpdateAuthorizationDocument, (data) => data.updateAuthorization);
  const remove = useCommand(DeleteAuthorizationDocument, (data) => data.deleteAuthorization);
  const last = useLastCommand<EditorCommand>();
  const [form, setForm] = useState<Form | null>(null);
  const [values, setValues] = useState<Values>(EMPTY);

  function open(next: Form) {
    (next.mode === "create" ? create : update).reset();
    setValues(
      next.mode === "create"
        ? EMPTY
        : { name: next.authorization.name, description: next.authorization.description },
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
      last.mark("create", `Create authorization ${name}`);
      end = await create.run({ input: { name, description } });
    } else {
      const { authorization } = form;
      const input: UpdateAuthorizationInput = {
        id: authorization.id,
        expectedVersion: authorization.version,
      };
      if (name !== authorization.name) input.name = name;
      if (description !== authorization.description) input.description = description;
      last.mark("update", `Edit authorization ${authorization.name}`);
      end = await update.run({ input });
    }
    if (end.status === "APPLIED") {
      setForm(null);
      list.reload();
    }
  }

  async function deleteAuthorization(authorization: AuthorizationRowFragment) {
    last.mark("delete", `Delete authorization ${authorization.name}`);
    const end = await remove.run({
      id: authorization.id,
      expectedVersion: authorization.version,
    });
    if (end.status === "APPLIED") {
      if (form?.mode === "edit" && form.authorization.id === authorization.id) setForm(null);
      list.reload();
    }
  }

  return (
    <>
      <h1>Authorizations</h1>
      <NamedEditor
        thing="authorization"
        mode={form ? form.mode : null}
        onCreate={() => open({ mode: "create" })}
        commands={{ create, update, delete: remove }}
        last={last}
        values={values}
        onValues={setValues}
        onSubmit={(event) => void submit(event)}
        onCancel={() => setForm(null)}
      />

      {list.error ? <p role="alert">Could not list the authorizations: {list.error}</p> : null}
      <table aria-label="Authorizations" aria-busy={list.loading}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.nodes.map((authorization) => (
            <tr key={authorization.id}>
              <td>{authorization.name}</td>
              <td>{authorization.description}</td>
              <td className="row-actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={() => open({ mode: "edit", authorization })}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={remove.busy}
                  onClick={() => void deleteAuthorization(authorization)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {!list.loading && list.nodes.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                No authorizations yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {list.truncated ? (
        <p className="muted">Only the first 5,000 authorizations are shown.</p>
      ) : null}
    </>
  );
}

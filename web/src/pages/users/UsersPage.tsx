// Users: the table (100 a page, by id) with its filters, and "Create user", whose new row
// shows at the top of the table with its command's live status.
import { useEffect, useMemo, useState } from "react";
import type { FormEvent } from "react";
import { useQuery } from "urql";
import { StatusText, CommandProgress } from "../../commands/CommandProgress";
import { isTerminal, useCommand, type CommandState } from "../../commands/useCommand";
import { SelectField, TextField } from "../../components/fields";
import {
  CreateUserDocument,
  UsersDocument,
  type UserFilter,
  type UserRowFragment,
  type UserStatus,
} from "../../gql/graphql";
import { Link, userPath } from "../../router";
import { EMPTY_USER, UserFields, useChoices, type UserValues } from "./UserFields";
import { Pager } from "../../components/Pager";

const PAGE_SIZE = 100;
const STATUSES: readonly UserStatus[] = ["ACTIVE", "BLOCKED", "DELETED"];

interface Filters {
  email: string;
  roleId: string;
  groupId: string;
  status: string;
}

const NO_FILTERS: Filters = { email: "", roleId: "", groupId: "", status: "" };

/** A user created here: pinned at the top of the table until the table's page holds it, with
 * its command's live status (the last one follows the create command; the others keep their
 * final status). */
interface Created {
  row: UserRowFragment;
  state: CommandState;
}

export default function UsersPage() {
  const choices = useChoices();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const email = useDebounced(filters.email.trim(), 250);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;

  const filter = useMemo<UserFilter | null>(() => {
    const chosen: UserFilter = {};
    if (email !== "") chosen.email = email;
    if (filters.roleId !== "") chosen.roleId = filters.roleId;
    if (filters.groupId !== "") chosen.groupId = filters.groupId;
    const status = STATUSES.find((s) => s === filters.status);
    if (status) chosen.status = status;
    return Object.keys(chosen).length > 0 ? chosen : null;
  }, [email, filters.roleId, filters.groupId, filters.status]);

  // A new filter starts again from the first page.
  useEffect(() => setCursors([null]), [filter]);

  const [{ data, fetching, error }, refetch] = useQuery({
    query: UsersDocument,
    variables: { first: PAGE_SIZE, after, filter },
  });
  const rows = data?.users.edges.map((edge) => edge.node) ?? [];
  const pageInfo = data?.users.pageInfo;

  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created[]>([]);
  const create = useCommand(CreateUserDocument, (result) => result.createUser);
  const [values, setValues] = useState<UserValues>(EMPTY_USER);

  // The new row follows the create command's status until the command ends.
  useEffect(() => {
    if (create.state.status === null) return;
    setCreated((current) => {
      const latest = current[current.length - 1];
      if (!latest || isTerminal(latest.state.status)) return current;
      return [...current.slice(0, -1), { ...latest, state: create.state }];
    });
  }, [create.state]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = {
      id: values.id.trim(),
      email: values.email.trim(),
      firstName: values.firstName.trim(),
      lastName: values.lastName.trim(),
      birthDate: values.birthDate === "" ? null : values.birthDate,
      roleIds: values.roleIds,
      groupIds: values.groupIds,
    };
    const row = optimisticRow(values, choices);
    const sending: CommandState = {
      status: "SENDING",
      commandId: null,
      aggregateId: null,
      error: null,
    };
    setCreated((current) => [
      ...current.filter((c) => c.row.id !== row.id),
      { row, state: sending },
    ]);
    const end = await create.run({ input });
    if (end.status === "APPLIED") {
      setCreating(false);
      setValues(EMPTY_USER);
      refetch({ requestPolicy: "network-only" });
    } else {
      // Not created: the form shows why, and the row goes.
      setCreated((current) => current.filter((c) => c.row.id !== row.id));
    }
  }

  function openCreate() {
    create.reset();
    setCreating(true);
  }

  const shownIds = new Set(rows.map((row) => row.id));
  const pinned = created.filter((c) => !shownIds.has(c.row.id)).reverse();
  const statusOf = (id: string) => created.find((c) => c.row.id === id)?.state ?? null;

  return (
    <>
      <h1>Users</h1>
      <form
        className="filters"
        role="search"
        aria-label="Filter users"
        onSubmit={(e) => e.preventDefault()}
      >
        <TextField
          label="Email"
          type="search"
          value={filters.email}
          onChange={(value) => setFilters({ ...filters, email: value })}
          autoComplete="off"
        />
        <SelectField
          label="Role"
          value={filters.roleId}
          onChange={(value) => setFilters({ ...filters, roleId: value })}
          options={choices.roles}
          empty="Any"
        />
        <SelectField
          label="Group"
          value={filters.groupId}
          onChange={(value) => setFilters({ ...filters, groupId: value })}
          options={choices.groups}
          empty="Any"
        />
        <SelectField
          label="Status"
          value={filters.status}
          onChange={(value) => setFilters({ ...filters, status: value })}
          options={STATUSES.map((status) => ({ value: status, label: status }))}
          empty="Any"
        />
      </form>

      {/* Hidden while the form is open: its submit button is the only "Create" then. */}
      {creating ? null : (
        <div className="toolbar">
          <button type="button" onClick={openCreate}>
            Create user
          </button>
        </div>
      )}

      {creating ? (
        <section className="panel" aria-labelledby="create-user-heading">
          <h2 id="create-user-heading">New user</h2>
          <form aria-label="Create user" noValidate onSubmit={(event) => void submit(event)}>
            <UserFields values={values} onChange={setValues} command={create} choices={choices} />
            <div className="actions">
              <button type="submit" disabled={create.busy}>
                Create
              </button>
              <button type="button" className="secondary" onClick={() => setCreating(false)}>
                Cancel
              </button>
              <CommandProgress command={create} />
            </div>
          </form>
        </section>
      ) : null}

      {error ? <p role="alert">Could not list the users: {error.message}</p> : null}
      <table aria-label="Users" aria-busy={fetching}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Status</th>
            <th scope="col">Roles</th>
            <th scope="col">Groups</th>
          </tr>
        </thead>
        <tbody>
          {pinned.map((c) => (
            <UserRow key={`new-${c.row.id}`} row={c.row} state={c.state} pending />
          ))}
          {rows.map((row) => (
            <UserRow key={row.id} row={row} state={statusOf(row.id)} />
          ))}
          {!fetching && rows.length === 0 && pinned.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                No users{filter ? " match these filters" : ""}.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <Pager cursors={cursors} onCursors={setCursors} pageInfo={pageInfo}>
        <span className="muted">
          Page {cursors.length}
          {fetching ? " (loading…)" : ` · ${rows.length} users`}
        </span>
      </Pager>
    </>
  );
}

function UserRow({
  row,
  state,
  pending = false,
}: {
  row: UserRowFragment;
  state: CommandState | null;
  pending?: boolean;
}) {
  const name = `${row.firstName} ${row.lastName}`.trim() || row.id;
  return (
    <tr className={pending ? "pending" : undefined}>
      <td>
        <Link to={userPath(row.id)}>{name}</Link>
      </td>
      <td>{row.email}</td>
      <td>
        {pending ? (state?.status === "APPLIED" ? "ACTIVE" : null) : row.status}
        {state ? (
          <StatusText
            state={state}
            label={pending ? "Create" : undefined}
            className="inline"
            showError={false}
          />
        ) : null}
      </td>
      <td>{row.roles.map((role) => role.name).join(", ")}</td>
      <td>{row.groups.map((group) => group.name).join(", ")}</td>
    </tr>
  );
}

function optimisticRow(
  values: UserValues,
  choices: ReturnType<typeof useChoices>,
): UserRowFragment {
  const named = (ids: string[], options: { value: string; label: string }[]) =>
    ids.map((id) => ({ id, name: options.find((o) => o.value === id)?.label ?? id }));
  return {
    id: values.id.trim(),
    email: values.email.trim(),
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    status: "ACTIVE",
    roles: named(values.roleIds, choices.roles),
    groups: named(values.groupIds, choices.groups),
  };
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

// A user's page: profile (and Edit), status and the lifecycle (block, unblock, delete, restore,
// export, erase), effective permissions with their reasons, the history, and time travel.
import { useId, useRef, useState } from "react";
import type { FormEvent, ReactNode } from "react";
import { useClient, useQuery } from "urql";
import { CommandProgress } from "../../commands/CommandProgress";
import { useCommand, type CommandState } from "../../commands/useCommand";
import { TextField } from "../../components/fields";
import { formatTime, isoFromLocal } from "../../format";
import {
  BlockUserDocument,
  DeleteUserDocument,
  EraseUserDocument,
  ExportUserDocument,
  RestoreUserDocument,
  UnblockUserDocument,
  UpdateUserDocument,
  UserAsOfDocument,
  UserHistoryDocument,
  UserPageDocument,
  type UpdateUserInput,
  type UserDetailFragment,
  type UserPageQuery,
} from "../../gql/graphql";
import type { Route } from "../../router";
import { download, fetchExport, summaryOf, type ExportedUser } from "./exportFile";
import { UserFields, useChoices, type UserValues } from "./UserFields";
import { Pager } from "../../components/Pager";

type Action = "edit" | "block" | "unblock" | "delete" | "restore" | "erase";

export default function UserPage({ route }: { route: Route }) {
  const id = route.page === "user" ? route.id : "";
  const [page, refetchPage] = useQuery({ query: UserPageDocument, variables: { id } });
  const user = page.data?.user ?? null;
  // user(id) is null once deleted or erased: the export still tells which, and holds the record.
  const missing = page.data !== undefined && user === null;
  const [exported, refetchExport] = useQuery({
    query: ExportUserDocument,
    variables: { id },
    pause: !missing,
  });
  const gone = summaryOf(exported.data?.exportUser);
  const [historyKey, setHistoryKey] = useState(0);
  const [last, setLast] = useState<Action | null>(null);

  function refresh() {
    refetchPage({ requestPolicy: "network-only" });
    if (missing) refetchExport({ requestPolicy: "network-only" });
    setHistoryKey((key) => key + 1);
  }

  // The lifecycle's commands live here: their status stays while the record is re-read (a
  // deleted user's through the export) or is gone (erased).
  const life = useLifecycle();
  const known = useRef<ExportedUser | null>(null);
  const loading = page.fetching || exported.fetching;
  const fresh: ExportedUser | null = user ? recordOfUser(user) : gone.user;
  if (fresh) known.current = fresh;
  const record = fresh ?? (loading && !gone.erased ? known.current : null);
  const title = record
    ? `${record.firstName} ${record.lastName}`.trim() || record.id
    : gone.erased
      ? "Erased user"
      : loading
        ? "User"
        : "User not found";

  return (
    <>
      <h1>{title}</h1>
      {page.error ? <p role="alert">Could not read the user: {page.error.message}</p> : null}
      {gone.erased ? (
        <p>
          This user was erased: their personal data can no longer be read; only their history
          remains.
        </p>
      ) : null}
      {!record && !gone.erased && missing && !exported.fetching ? (
        <p>
          No user has the id <code>{id}</code>.
        </p>
      ) : null}

      {record ? (
        <Profile
          user={user}
          record={record}
          active={last === "edit"}
          onRun={() => setLast("edit")}
          onApplied={refresh}
        />
      ) : null}
      {record ? (
        <Lifecycle
          id={id}
          record={record}
          life={life}
          last={last}
          onRun={setLast}
          onApplied={refresh}
        />
      ) : null}
      {last === "unblock" || last === "delete" || last === "restore" || last === "erase" ? (
        <CommandProgress command={life[last]} label={labelOf(last)} />
      ) : null}
      {user ? <Permissions permissions={page.data?.effectivePermissions ?? []} /> : null}
      <History key={historyKey} id={id} />
      {record ? <TimeTravel id={id} /> : null}
    </>
  );
}

function recordOfUser(user: UserDetailFragment): ExportedUser {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    birthDate: user.birthDate,
    status: user.status,
    version: user.version,
    block: user.block ? { reason: user.block.reason, until: user.block.until } : null,
  };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

// Profile ----------------------------------------------------------------------------------

interface ProfileProps {
  user: UserDetailFragment | null;
  record: ExportedUser;
  active: boolean;
  onRun: () => void;
  onApplied: () => void;
}

function Profile({ user, record, active, onRun, onApplied }: ProfileProps) {
  const choices = useChoices();
  const update = useCommand(UpdateUserDocument, (data) => data.updateUser);
  const [editing, setEditing] = useState<UserValues | null>(null);

  function startEditing() {
    if (!user) return;
    update.reset();
    setEditing({
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      birthDate: user.birthDate ?? "",
      roleIds: user.roles.map((role) => role.id),
      groupIds: user.groups.map((group) => group.id),
    });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!user || !editing) return;
    onRun();
    const end = await update.run({ input: changesOf(user, editing) });
    if (end.status === "APPLIED") {
      setEditing(null);
      onApplied();
    }
  }

  return (
    <Section title="Profile">
      <dl className="profile">
        <dt>Id</dt>
        <dd>
          <code>{record.id}</code>
        </dd>
        <dt>Email</dt>
        <dd>{record.email}</dd>
        <dt>First name</dt>
        <dd>{record.firstName}</dd>
        <dt>Last name</dt>
        <dd>{record.lastName}</dd>
        <dt>Birth date</dt>
        <dd>{record.birthDate ?? "—"}</dd>
        {user ? (
          <>
            <dt>Roles</dt>
            <dd>{user.roles.map((role) => role.name).join(", ") || "—"}</dd>
            <dt>Groups</dt>
            <dd>{user.groups.map((group) => group.name).join(", ") || "—"}</dd>
            <dt>Version</dt>
            <dd>{user.version}</dd>
            <dt>Created</dt>
            <dd>{formatTime(user.createdAt)}</dd>
            <dt>Updated</dt>
            <dd>{formatTime(user.updatedAt)}</dd>
          </>
        ) : null}
      </dl>
      {user && !editing ? (
        <div className="actions">
          <button type="button" onClick={startEditing}>
            Edit
          </button>
          {active ? <CommandProgress command={update} label="Edit" /> : null}
        </div>
      ) : null}
      {editing ? (
        <div className="panel">
          <form aria-label="Edit user" noValidate onSubmit={(event) => void save(event)}>
            <UserFields
              values={editing}
              onChange={setEditing}
              command={update}
              choices={choices}
              idReadOnly
            />
            <div className="actions">
              <button type="submit" disabled={update.busy}>
                Save
              </button>
              <button type="button" className="secondary" onClick={() => setEditing(null)}>
                Cancel
              </button>
              {active ? <CommandProgress command={update} /> : null}
            </div>
          </form>
        </div>
      ) : null}
    </Section>
  );
}

/** Only what changed (an update that changes nothing is APPLIED at once), at the version read. */
function changesOf(user: UserDetailFragment, values: UserValues): UpdateUserInput {
  const input: UpdateUserInput = { id: user.id, expectedVersion: user.version };
  const email = values.email.trim();
  const firstName = values.firstName.trim();
  const lastName = values.lastName.trim();
  if (email !== user.email) input.email = email;
  if (firstName !== user.firstName) input.firstName = firstName;
  if (lastName !== user.lastName) input.lastName = lastName;
  if (values.birthDate !== (user.birthDate ?? "")) input.birthDate = values.birthDate || null;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  if (
    !same(
      values.roleIds,
      user.roles.map((role) => role.id),
    )
  )
    input.roleIds = values.roleIds;
  if (
    !same(
      values.groupIds,
      user.groups.map((group) => group.id),
    )
  )
    input.groupIds = values.groupIds;
  return input;
}

// Status and lifecycle -----------------------------------------------------------------------

function useLifecycle() {
  return {
    block: useCommand(BlockUserDocument, (data) => data.blockUser),
    unblock: useCommand(UnblockUserDocument, (data) => data.unblockUser),
    delete: useCommand(DeleteUserDocument, (data) => data.deleteUser),
    restore: useCommand(RestoreUserDocument, (data) => data.restoreUser),
    erase: useCommand(EraseUserDocument, (data) => data.eraseUser),
  };
}

interface LifecycleProps {
  id: string;
  record: ExportedUser;
  life: ReturnType<typeof useLifecycle>;
  last: Action | null;
  onRun: (action: Action) => void;
  onApplied: () => void;
}

function Lifecycle({ id, record, life, last, onRun, onApplied }: LifecycleProps) {
  const client = useClient();
  const { block, unblock, delete: remove, restore, erase } = life;
  const [form, setForm] = useState<"block" | "erase" | null>(null);
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [exportError, setExportError] = useState<string | null>(null);
  const status = record.status;

  async function act(action: Action, run: () => Promise<CommandState>) {
    onRun(action);
    const end = await run();
    if (end.status === "APPLIED") {
      setForm(null);
      onApplied();
    }
  }

  function open(which: "block" | "erase") {
    (which === "block" ? block : erase).reset();
    setReason("");
    setUntil("");
    setConfirmation("");
    setForm(which);
  }

  async function exportUser() {
    setExportError(null);
    try {
      download(`user-${id}.json`, await fetchExport(client, id));
    } catch (failure) {
      setExportError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <Section title="Status">
      <p>
        Status: <strong>{status}</strong>
        {status === "BLOCKED" && record.block ? (
          <>
            {" "}
            — reason: {record.block.reason}
            {record.block.until ? `, until ${formatTime(record.block.until)}` : ""}
          </>
        ) : null}
      </p>
      <div className="actions">
        {/* A form's opening button hides while it is open: "Block user" is then the only
            button named like "Block" ("Erase user" like "Erase"). */}
        {status === "ACTIVE" && form !== "block" ? (
          <button type="button" onClick={() => open("block")}>
            Block
          </button>
        ) : null}
        {status === "BLOCKED" ? (
          <button
            type="button"
            disabled={unblock.busy}
            onClick={() => void act("unblock", () => unblock.run({ id }))}
          >
            Unblock
          </button>
        ) : null}
        {status !== "DELETED" ? (
          <button
            type="button"
            className="danger"
            disabled={remove.busy}
            onClick={() => void act("delete", () => remove.run({ id }))}
          >
            Delete
          </button>
        ) : (
          <button
            type="button"
            disabled={restore.busy}
            onClick={() => void act("restore", () => restore.run({ id }))}
          >
            Restore
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void exportUser()}>
          Export
        </button>
        {form !== "erase" ? (
          <button type="button" className="danger" onClick={() => open("erase")}>
            Erase
          </button>
        ) : null}
      </div>
      {exportError ? <p role="alert">Export failed: {exportError}</p> : null}

      {form === "block" ? (
        <div className="panel">
          <form
            aria-label="Block user"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              void act("block", () =>
                block.run({ id, reason: reason.trim(), until: isoFromLocal(until) }),
              );
            }}
          >
            <TextField
              label="Reason"
              field="reason"
              command={block}
              value={reason}
              onChange={setReason}
              required
              autoFocus
            />
            <TextField
              label="Until"
              field="until"
              command={block}
              type="datetime-local"
              value={until}
              onChange={setUntil}
            />
            <div className="actions">
              <button type="submit" disabled={block.busy}>
                Block user
              </button>
              <button type="button" className="secondary" onClick={() => setForm(null)}>
                Cancel
              </button>
            </div>
          </form>
        </div>
      ) : null}
      {last === "block" ? <CommandProgress command={block} label="Block" /> : null}

      {form === "erase" ? (
        <div className="panel">
          <form
            aria-label="Erase user"
            onSubmit={(event) => {
              event.preventDefault();
              if (confirmation === id) void act("erase", () => erase.run({ id }));
            }}
          >
            <p>
              Erasing is for good: the personal data of <code>{id}</code> becomes unreadable
              everywhere; only the history remains.
            </p>
            <TextField
              label="Type the user's id to confirm"
              value={confirmation}
              onChange={setConfirmation}
              autoComplete="off"
              autoFocus
            />
            <div className="actions">
              <button type="submit" className="danger" disabled={confirmation !== id || erase.busy}>
                Erase user
              </button>
              <button type="button" className="secondary" onClick={() => setForm(null)}>
                Cancel
              </button>
            </div>
          </form>
        </div>
      ) : null}
    </Section>
  );
}

function labelOf(action: Action): string {
  return action.charAt(0).toUpperCase() + action.slice(1);
}

// Effective permissions --------------------------------------------------------------------

type Permissions = UserPageQuery["effectivePermissions"];

function Permissions({ permissions }: { permissions: Permissions }) {
  return (
    <Section title="Effective permissions">
      {permissions.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="permissions">
          {permissions.map((permission) => (
            <li key={permission.authorization.id}>
              <strong>{permission.authorization.name}</strong>{" "}
              <span className="muted">— {permission.via.map(reasonOf).join("; ")}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function reasonOf(grant: Permissions[number]["via"][number]): string {
  const role = `via role ${grant.role.name}`;
  if (grant.groups.length === 0) return role;
  return `${role} through group ${grant.groups.map((group) => group.name).join(" › ")}`;
}

// History ----------------------------------------------------------------------------------

function History({ id }: { id: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, error, fetching }] = useQuery({
    query: UserHistoryDocument,
    variables: { id, after },
  });
  const events = data?.history.edges.map((edge) => edge.node) ?? [];
  const pageInfo = data?.history.pageInfo;
  return (
    <Section title="History">
      {error ? <p role="alert">Could not read the history: {error.message}</p> : null}
      {!fetching && events.length === 0 && !error ? <p className="muted">No events.</p> : null}
      <ol className="timeline" start={(cursors.length - 1) * 100 + 1}>
        {events.map((event) => (
          <li key={event.id}>
            <strong>{event.type}</strong> by <span>{event.actor ?? "unknown"}</span> at{" "}
            <time dateTime={event.occurredAt}>{formatTime(event.occurredAt)}</time>{" "}
            <span className="muted">(version {event.version})</span>
          </li>
        ))}
      </ol>
      {cursors.length > 1 || pageInfo?.hasNextPage ? (
        <Pager
          cursors={cursors}
          onCursors={setCursors}
          pageInfo={pageInfo}
          previous="Earlier events"
          next="Later events"
        />
      ) : null}
    </Section>
  );
}

// Time travel ------------------------------------------------------------------------------

function TimeTravel({ id }: { id: string }) {
  const [local, setLocal] = useState("");
  const [asOf, setAsOf] = useState<string | null>(null);
  const [{ data, error, fetching }] = useQuery({
    query: UserAsOfDocument,
    variables: { id, asOf: asOf ?? "" },
    pause: asOf === null,
  });
  const then = data?.user ?? null;
  const headingId = useId();
  return (
    <Section title="Time travel">
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setAsOf(isoFromLocal(local));
        }}
      >
        <TextField
          label="As of"
          type="datetime-local"
          step={1}
          value={local}
          onChange={setLocal}
          required
        />
        <button type="submit" disabled={isoFromLocal(local) === null}>
          Show
        </button>
      </form>
      {asOf !== null ? (
        <section aria-labelledby={headingId} className="panel">
          <h3 id={headingId}>As of {formatTime(asOf)}</h3>
          {error ? <p role="alert">{error.message}</p> : null}
          {fetching ? <p>Loading…</p> : null}
          {!fetching && !error && then === null ? (
            <p>The user did not exist then (or was deleted).</p>
          ) : null}
          {then ? (
            <dl className="profile">
              <dt>First name</dt>
              <dd>{then.firstName}</dd>
              <dt>Last name</dt>
              <dd>{then.lastName}</dd>
              <dt>Email</dt>
              <dd>{then.email}</dd>
              <dt>Status</dt>
              <dd>
                {then.status}
                {then.block ? ` — reason: ${then.block.reason}` : ""}
              </dd>
              <dt>Roles</dt>
              <dd>{then.roles.map((role) => role.name).join(", ") || "—"}</dd>
              <dt>Groups</dt>
              <dd>{then.groups.map((group) => group.name).join(", ") || "—"}</dd>
              <dt>Version</dt>
              <dd>{then.version}</dd>
            </dl>
          ) : null}
        </section>
      ) : null}
    </Section>
  );
}

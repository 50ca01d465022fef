// Groups: the tree (each group with the roles it grants) and the selected group's details
// (parent, roles, members 20 a page); "Create group", and for the selected group "Edit" (moving
// it under another parent: CYCLE and TOO_DEEP show on "Parent") and "Delete" (CONFLICT while it
// has members or child groups). Each command's live status shows below the form or the tree.
import { useMemo, useState } from "react";
import type { FormEvent } from "react";
import { useQuery } from "urql";
import { useCommand, type Command } from "../commands/useCommand";
import { MultiSelectField, SelectField, type Option } from "../components/fields";
import {
  CreateGroupDocument,
  DeleteGroupDocument,
  GroupMembersDocument,
  GroupsDocument,
  RoleChoicesDocument,
  UpdateGroupDocument,
  type GroupNodeFragment,
  type UpdateGroupInput,
} from "../gql/graphql";
import { Link, userPath } from "../router";
import { GroupTree } from "./groups/GroupTree";
import { treeOf } from "./groups/tree";
import { Section } from "./shared/Section";
import { useAllPages } from "./shared/useAllPages";
import { sameIds, useLastCommand } from "./shared/useLastCommand";
import { NamedEditor, type EditorCommand } from "./shared/NamedEditor";
import "./shared/pages.css";
import { Pager } from "../components/Pager";

interface GroupValues {
  name: string;
  description: string;
  parentId: string;
  roleIds: string[];
}

const EMPTY: GroupValues = { name: "", description: "", parentId: "", roleIds: [] };

type Form = { mode: "create" } | { mode: "edit"; group: GroupNodeFragment };

export default function GroupsPage() {
  const groups = useAllPages(GroupsDocument, (data) => data.groups, 200);
  const roles = useAllPages(RoleChoicesDocument, (data) => data.roles);
  const roleChoices: Option[] = roles.nodes
    .map((role) => ({ value: role.id, label: role.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const roots = useMemo(() => treeOf(groups.nodes), [groups.nodes]);
  const byId = useMemo(() => new Map(groups.nodes.map((g) => [g.id, g])), [groups.nodes]);

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selected = selectedId !== null ? (byId.get(selectedId) ?? null) : null;

  const create = useCommand(CreateGroupDocument, (data) => data.createGroup);
  const update = useCommand(UpdateGroupDocument, (data) => data.updateGroup);
  const remove = useCommand(DeleteGroupDocument, (data) => data.deleteGroup);
  const last = useLastCommand<EditorCommand>();
  const [form, setForm] = useState<Form | null>(null);
  const [values, setValues] = useState<GroupValues>(EMPTY);
  const [membersKey, setMembersKey] = useState(0);

  function open(next: Form) {
    (next.mode === "create" ? create : update).reset();
    setValues(
      next.mode === "create"
        ? EMPTY
        : {
            name: next.group.name,
            description: next.group.description,
            parentId: next.group.parent?.id ?? "",
            roleIds: next.group.roles.map((role) => role.id),
          },
    );
    setForm(next);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form === null) return;
    const name = values.name.trim();
    let end;
    if (form.mode === "create") {
      last.mark("create", `Create group ${name}`);
      end = await create.run({
        input: {
          name,
          description: values.description.trim(),
          parentId: values.parentId === "" ? null : values.parentId,
          roleIds: values.roleIds,
        },
      });
    } else {
      last.mark("update", `Edit group ${form.group.name}`);
      end = await update.run({ input: changesOf(form.group, values) });
    }
    if (end.status === "APPLIED") {
      setForm(null);
      if (form.mode === "create" && end.aggregateId) setSelectedId(end.aggregateId);
      groups.reload();
      setMembersKey((key) => key + 1);
    }
  }

  async function deleteGroup(group: GroupNodeFragment) {
    last.mark("delete", `Delete group ${group.name}`);
    const end = await remove.run({ id: group.id, expectedVersion: group.version });
    if (end.status === "APPLIED") {
      if (form?.mode === "edit" && form.group.id === group.id) setForm(null);
      setSelectedId((current) => (current === group.id ? null : current));
      groups.reload();
    }
  }

  // Its own fields bind to the command the form runs (their errors show on them).
  const command: Command<unknown> = form?.mode === "create" ? create : update;
  // A group cannot be its own parent; a group below it may be chosen (the command says CYCLE).
  const editedId = form?.mode === "edit" ? form.group.id : null;
  const parentChoices: Option[] = groups.nodes
    .filter((group) => group.id !== editedId)
    .map((group) => ({ value: group.id, label: group.name }))
    .sort((a, b) => a.label.localeCompare(b.label));

  return (
    <>
      <h1>Groups</h1>
      <NamedEditor
        thing="group"
        mode={form ? form.mode : null}
        onCreate={() => open({ mode: "create" })}
        commands={{ create, update, delete: remove }}
        last={last}
        values={values}
        onValues={setValues}
        onSubmit={(event) => void submit(event)}
        onCancel={() => setForm(null)}
      >
        <SelectField
          label="Parent"
          field="parentId"
          command={command}
          value={values.parentId}
          onChange={(parentId) => setValues({ ...values, parentId })}
          options={parentChoices}
          empty="None (top level)"
        />
        <MultiSelectField
          label="Roles"
          field="roleIds"
          command={command}
          value={values.roleIds}
          onChange={(roleIds) => setValues({ ...values, roleIds })}
          options={roleChoices}
        />
      </NamedEditor>

      {groups.error ? <p role="alert">Could not list the groups: {groups.error}</p> : null}
      {roles.error ? <p role="alert">Could not list the roles: {roles.error}</p> : null}
      <div className="groups-layout">
        <div className="groups-tree" aria-busy={groups.loading}>
          {groups.loading && groups.nodes.length === 0 ? (
            <p className="muted">Loading the groups…</p>
          ) : (
            <GroupTree roots={roots} selectedId={selectedId} onSelect={setSelectedId} />
          )}
          {groups.truncated ? (
            <p className="muted">Only the first 4,000 groups are shown.</p>
          ) : null}
        </div>
        <div className="groups-detail">
          {selected ? (
            <GroupDetail
              group={selected}
              parent={selected.parent ? (byId.get(selected.parent.id) ?? null) : null}
              membersKey={membersKey}
              onSelect={setSelectedId}
              onEdit={() => open({ mode: "edit", group: selected })}
              onDelete={() => void deleteGroup(selected)}
              deleting={remove.busy}
              editing={form?.mode === "edit" && form.group.id === selected.id}
            />
          ) : (
            <p className="muted">Select a group to see its parent, roles and members.</p>
          )}
        </div>
      </div>
    </>
  );
}

/** Only what changed (an update that changes nothing is APPLIED at once), at the version read;
 * "None (top level)" sends parentId null, which moves the group to the top. */
function changesOf(group: GroupNodeFragment, values: GroupValues): UpdateGroupInput {
  const input: UpdateGroupInput = { id: group.id, expectedVersion: group.version };
  const name = values.name.trim();
  const description = values.description.trim();
  if (name !== group.name) input.name = name;
  if (description !== group.description) input.description = description;
  if (values.parentId !== (group.parent?.id ?? "")) {
    input.parentId = values.parentId === "" ? null : values.parentId;
  }
  const held = group.roles.map((role) => role.id);
  if (!sameIds(values.roleIds, held)) input.roleIds = values.roleIds;
  return input;
}

interface DetailProps {
  group: GroupNodeFragment;
  parent: GroupNodeFragment | null;
  membersKey: number;
  onSelect: (id: string) => void;
  onEdit: () => void;
  onDelete: () => void;
  deleting: boolean;
  editing: boolean;
}

function GroupDetail(props: DetailProps) {
  const { group, parent, membersKey, onSelect, onEdit, onDelete, deleting, editing } = props;
  return (
    <Section title={group.name} className="panel">
      {group.description ? <p>{group.description}</p> : null}
      <dl className="profile">
        <dt>Parent</dt>
        <dd>
          {parent ? (
            <button type="button" className="link" onClick={() => onSelect(parent.id)}>
              {parent.name}
            </button>
          ) : group.parent ? (
            <code>{group.parent.id}</code>
          ) : (
            "None (top level)"
          )}
        </dd>
        <dt>Roles granted</dt>
        <dd>{group.roles.map((role) => role.name).join(", ") || "None"}</dd>
      </dl>
      <div className="actions">
        {editing ? null : (
          <button type="button" className="secondary" onClick={onEdit}>
            Edit
          </button>
        )}
        <button type="button" className="danger" disabled={deleting} onClick={onDelete}>
          Delete
        </button>
      </div>
      <Members key={`${group.id}-${membersKey}`} id={group.id} />
    </Section>
  );
}

// Keyed by the group (and reloaded after a command): a new group starts at its first page.
function Members({ id }: { id: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, error, fetching }] = useQuery({
    query: GroupMembersDocument,
    variables: { id, after },
  });
  const members = data?.group?.members.edges.map((edge) => edge.node) ?? [];
  const pageInfo = data?.group?.members.pageInfo;
  return (
    <Section title="Members" level={3}>
      {error ? <p role="alert">Could not list the members: {error.message}</p> : null}
      {!fetching && !error && members.length === 0 ? (
        <p className="muted">{cursors.length > 1 ? "No more members." : "No direct members."}</p>
      ) : null}
      <ul className="members" aria-busy={fetching}>
        {members.map((user) => (
          <li key={user.id}>
            <Link to={userPath(user.id)}>
              {`${user.firstName} ${user.lastName}`.trim() || user.id}
            </Link>{" "}
            <span className="muted">
              {user.email}
              {user.status !== "ACTIVE" ? ` (${user.status})` : ""}
            </span>
          </li>
        ))}
      </ul>
      {cursors.length > 1 || pageInfo?.hasNextPage ? (
        <Pager cursors={cursors} onCursors={setCursors} pageInfo={pageInfo}>
          <span className="muted">Page {cursors.length}</span>
        </Pager>
      ) : null}
    </Section>
  );
}

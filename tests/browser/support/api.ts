// Seeding through the GraphQL API with an admin token: each command is followed (command(id))
// until it is APPLIED, so a test opens a page only once the views show what it seeded.
import { randomUUID } from 'node:crypto';
import { mintToken } from './server';

type Json = Record<string, unknown>;
type Command = { id: string; status: string; aggregateId: string | null; error: Json | null };

const TERMINAL = new Set(['APPLIED', 'REJECTED', 'FAILED']);
const FOLLOW_TIMEOUT_MS = 30_000;

export function serverUrl(): string {
  const url = process.env.CONSOLE_URL;
  if (!url) throw new Error('CONSOLE_URL is unset: the global setup starts the server');
  return url;
}

export function adminToken(): string {
  return process.env.USERMGMT_ADMIN_TOKEN!;
}

export function userToken(sub: string): Promise<string> {
  return mintToken(process.env.USERMGMT_DATA!, { sub });
}

export async function gql<T = Json>(
  query: string,
  variables: Json = {},
  token: string = adminToken(),
): Promise<T> {
  const reply = await fetch(`${serverUrl()}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const payload = (await reply.json()) as { data?: T; errors?: unknown[] };
  if (payload.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(payload.errors)}`);
  return payload.data as T;
}

/** Submit a mutation (one field, returning a receipt) and wait for its command to end. */
export async function submit(mutation: string, variables: Json, token = adminToken()) {
  const data = await gql<Record<string, { commandId: string }>>(mutation, variables, token);
  const [receipt] = Object.values(data);
  return follow(receipt.commandId, token);
}

export async function follow(commandId: string, token = adminToken()): Promise<Command> {
  const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
  for (;;) {
    const { command } = await gql<{ command: Command | null }>(
      'query($id: ID!) { command(id: $id) { id status aggregateId error { code message field } } }',
      { id: commandId },
      token,
    );
    if (command && TERMINAL.has(command.status)) return command;
    if (Date.now() > deadline) throw new Error(`command ${commandId} still ${command?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the poll's pace, not a wait for it
  }
}

/** Submit and require APPLIED; the aggregate's id. */
export async function apply(mutation: string, variables: Json, token = adminToken()) {
  const command = await submit(mutation, variables, token);
  if (command.status !== 'APPLIED') throw new Error(`not applied: ${JSON.stringify(command)}`);
  return command.aggregateId!;
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

const RECEIPT = '{ commandId }';

export function createAuthorization(name = unique('auth'), description = `${name} right`) {
  return apply(
    `mutation($i: CreateAuthorizationInput!) { createAuthorization(input: $i) ${RECEIPT} }`,
    { i: { name, description } },
  );
}

export function createRole(name: string, authorizationIds: string[] = []) {
  return apply(`mutation($i: CreateRoleInput!) { createRole(input: $i) ${RECEIPT} }`, {
    i: { name, description: `the ${name} role`, authorizationIds },
  });
}

export function createGroup(name: string, options: { parentId?: string; roleIds?: string[] } = {}) {
  return apply(`mutation($i: CreateGroupInput!) { createGroup(input: $i) ${RECEIPT} }`, {
    i: { name, description: `the ${name} group`, ...options },
  });
}

export interface NewUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  roleIds?: string[];
  groupIds?: string[];
}

/** A person with a unique id and email; ids sort after the ones the UI tests type ("a-…"). */
export function person(firstName = 'Ada', lastName = 'Lovelace'): NewUser {
  const id = unique('u');
  return { id, email: `${id}@example.com`, firstName, lastName };
}

export async function createUser(user: NewUser = person()): Promise<NewUser> {
  await apply(`mutation($i: CreateUserInput!) { createUser(input: $i) ${RECEIPT} }`, { i: user });
  return user;
}

export function updateUser(input: Json) {
  return apply(`mutation($i: UpdateUserInput!) { updateUser(input: $i) ${RECEIPT} }`, { i: input });
}

export function deleteUser(id: string) {
  return apply(`mutation($id: ID!) { deleteUser(id: $id) ${RECEIPT} }`, { id });
}

export function blockUser(id: string, reason: string) {
  return apply(`mutation($id: ID!, $r: String!) { blockUser(id: $id, reason: $r) ${RECEIPT} }`, {
    id,
    r: reason,
  });
}

export async function userById(id: string) {
  const { user } = await gql<{ user: Json | null }>(
    'query($id: ID!) { user(id: $id) { id email firstName lastName status } }',
    { id },
  );
  return user;
}

/** At least `count` users in all, the missing ones made ten at a time. */
export async function ensureUsers(count: number): Promise<void> {
  const missing = count - (await usersCount());
  for (let i = 0; i < missing; i += 10) {
    const batch = Array.from({ length: Math.min(10, missing - i) }, (_, j) => i + j);
    await Promise.all(batch.map((n) => createUser(person('Bulk', `User ${n}`))));
  }
}

type UsersPage = {
  users: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
};

export async function usersCount(): Promise<number> {
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const page: UsersPage = await gql<UsersPage>(
      'query($a: String) { users(first: 100, after: $a) { edges { cursor } pageInfo { hasNextPage endCursor } } }',
      { a: after },
    );
    const { users } = page;
    count += users.edges.length;
    if (!users.pageInfo.hasNextPage) return count;
    after = users.pageInfo.endCursor;
  }
}

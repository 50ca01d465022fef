// My account (any token, a user's own record): sign-up on first login (`registerMe`, while `me`
// is null), the profile (`me`) and its "Edit" (`updateMe`), "Your permissions", "Export my
// data" (`exportMe`, every page, as one JSON download) and "Erase my account" (typed
// confirmation, `eraseMe`). A blocked user is refused `me` (BLOCKED): the page says so and
// still offers the export and the erasure, which the API allows them.
import { useState } from "react";
import type { FormEvent } from "react";
import { useClient, useQuery } from "urql";
import type { Client } from "@urql/core";
import { useSession } from "../auth/AuthContext";
import { CommandProgress } from "../commands/CommandProgress";
import { useCommand, type Command } from "../commands/useCommand";
import { TextField } from "../components/fields";
import { isObject } from "../config";
import { formatTime } from "../format";
import {
  EraseMeDocument,
  ExportMeDocument,
  MeDocument,
  RegisterMeDocument,
  UpdateMeDocument,
  type JsonValue,
  type MeQuery,
  type UpdateMeInput,
} from "../gql/graphql";
import { queryErrorOf } from "./shared/errors";
import { reasonOf } from "./shared/grants";
import { Section } from "./shared/Section";
import { useLastCommand } from "./shared/useLastCommand";
import { download } from "./users/exportFile";
import { PersonFields, type PersonValues } from "./users/PersonFields";
import "./shared/pages.css";

type Me = NonNullable<MeQuery["me"]>;

const EMPTY: PersonValues = { email: "", firstName: "", lastName: "", birthDate: "" };
const CONFIRMATION = "ERASE";

export default function MyAccountPage() {
  const session = useSession();
  const [{ data, error, fetching }, refetch] = useQuery({ query: MeDocument });
  const refused = queryErrorOf(error);
  const blocked = refused?.code === "BLOCKED";
  const me = data?.me ?? null;

  const register = useCommand(RegisterMeDocument, (result) => result.registerMe);
  const update = useCommand(UpdateMeDocument, (result) => result.updateMe);
  const erase = useCommand(EraseMeDocument, (result) => result.eraseMe);
  const last = useLastCommand<"register" | "update" | "erase">();
  const [editing, setEditing] = useState<PersonValues | null>(null);
  const [signUp, setSignUp] = useState<PersonValues>(EMPTY);
  const [erased, setErased] = useState(false);

  const reload = () => refetch({ requestPolicy: "network-only" });

  async function submitSignUp(event: FormEvent) {
    event.preventDefault();
    last.mark("register", "Sign up");
    const end = await register.run({ input: inputOf(signUp) });
    if (end.status === "APPLIED") reload();
  }

  async function submitEdit(event: FormEvent) {
    event.preventDefault();
    if (!me || !editing) return;
    last.mark("update", "Edit profile");
    const end = await update.run({ input: changesOf(me, editing) });
    if (end.status === "APPLIED") {
      setEditing(null);
      reload();
    }
  }

  async function eraseMe() {
    last.mark("erase", "Erase my account");
    const end = await erase.run({});
    if (end.status === "APPLIED") {
      setErased(true);
      reload();
    }
  }

  const progress =
    last.which === "register" ? (
      <CommandProgress command={register} label={last.label} />
    ) : last.which === "update" ? (
      <CommandProgress command={update} label={last.label} />
    ) : last.which === "erase" ? (
      <CommandProgress command={erase} label={last.label} />
    ) : null;

  const loaded = data !== undefined || error !== undefined;
  const needsSignUp = loaded && !fetching && !error && me === null && !erased;

  return (
    <>
      <h1>My account</h1>
      <p className="muted">
        Signed in as <code>{session.sub}</code>
      </p>
      {blocked && !erased ? (
        <div role="alert" className="alert-box">
          <strong>Your account is blocked.</strong> You cannot use the service until an
          administrator unblocks it. You may still export your data or erase your account.
        </div>
      ) : null}
      {refused && !blocked ? (
        <p role="alert">Your account could not be read: {refused.message}</p>
      ) : null}
      {!loaded ? <p className="muted">Loading…</p> : null}
      {erased ? (
        <p>Your account was erased: your personal data can no longer be read by anyone.</p>
      ) : null}

      {needsSignUp ? (
        <Section title="Sign up" className="panel">
          <p>You have no account here yet: tell us who you are.</p>
          <form aria-label="Sign up" noValidate onSubmit={(e) => void submitSignUp(e)}>
            <PersonFields values={signUp} onChange={setSignUp} command={register} self autoFocus />
            <div className="actions">
              <button type="submit" disabled={register.busy}>
                Sign up
              </button>
              {progress}
            </div>
          </form>
        </Section>
      ) : null}

      {me && !erased ? (
        <Section title="Profile">
          <dl className="profile">
            <dt>Email</dt>
            <dd>{me.email}</dd>
            <dt>First name</dt>
            <dd>{me.firstName}</dd>
            <dt>Last name</dt>
            <dd>{me.lastName}</dd>
            <dt>Birth date</dt>
            <dd>{me.birthDate ?? "—"}</dd>
            <dt>Status</dt>
            <dd>{me.status}</dd>
            <dt>Member since</dt>
            <dd>{formatTime(me.createdAt)}</dd>
          </dl>
          {editing ? (
            <div className="panel">
              <form aria-label="Edit profile" noValidate onSubmit={(e) => void submitEdit(e)}>
                <PersonFields
                  values={editing}
                  onChange={setEditing}
                  command={update}
                  self
                  autoFocus
                />
                <div className="actions">
                  <button type="submit" disabled={update.busy}>
                    Save
                  </button>
                  <button type="button" className="secondary" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                  {last.which === "update" ? progress : null}
                </div>
              </form>
            </div>
          ) : (
            <div className="actions">
              <button
                type="button"
                onClick={() => {
                  update.reset();
                  setEditing(valuesOf(me));
                }}
              >
                Edit
              </button>
            </div>
          )}
        </Section>
      ) : null}

      {me && !erased ? <Permissions permissions={me.permissions} /> : null}

      {/* The sign-up form shows its own status; every other command's shows here. */}
      {!needsSignUp && !(editing && last.which === "update") ? progress : null}

      {(me || blocked) && !erased ? (
        <YourData sub={session.sub} erase={erase} onErase={() => void eraseMe()} />
      ) : null}
    </>
  );
}

function inputOf(values: PersonValues) {
  return {
    email: values.email.trim(),
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    birthDate: values.birthDate === "" ? null : values.birthDate,
  };
}

function valuesOf(me: Me): PersonValues {
  return {
    email: me.email,
    firstName: me.firstName,
    lastName: me.lastName,
    birthDate: me.birthDate ?? "",
  };
}

/** Only what changed (an update that changes nothing is APPLIED at once), at the version read. */
function changesOf(me: Me, values: PersonValues): UpdateMeInput {
  const input: UpdateMeInput = { expectedVersion: me.version };
  const next = inputOf(values);
  if (next.email !== me.email) input.email = next.email;
  if (next.firstName !== me.firstName) input.firstName = next.firstName;
  if (next.lastName !== me.lastName) input.lastName = next.lastName;
  if (next.birthDate !== me.birthDate) input.birthDate = next.birthDate;
  return input;
}

function Permissions({ permissions }: { permissions: Me["permissions"] }) {
  return (
    <Section title="Your permissions">
      {permissions.length === 0 ? (
        <p className="muted">None: no role of yours, nor of your groups, grants anything.</p>
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

interface YourDataProps {
  sub: string;
  erase: Command<unknown>;
  onErase: () => void;
}

function YourData({ sub, erase, onErase }: YourDataProps) {
  const client = useClient();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [confirmation, setConfirmation] = useState("");

  async function exportMine() {
    setExporting(true);
    setExportError(null);
    try {
      download(`user-${sub}.json`, await fetchExportMe(client));
    } catch (failure) {
      setExportError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setExporting(false);
    }
  }

  return (
    <Section title="Your data">
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={exporting}
          onClick={() => void exportMine()}
        >
          Export my data
        </button>
        {/* Hidden while its form is open: the form's submit is then the one "Erase my account". */}
        {confirming ? null : (
          <button
            type="button"
            className="danger"
            onClick={() => {
              erase.reset();
              setConfirmation("");
              setConfirming(true);
            }}
          >
            Erase my account
          </button>
        )}
      </div>
      {exportError ? <p role="alert">Export failed: {exportError}</p> : null}
      {confirming ? (
        <div className="panel">
          <form
            aria-label="Erase my account"
            onSubmit={(event) => {
              event.preventDefault();
              if (confirmation === CONFIRMATION) onErase();
            }}
          >
            <p>
              Erasing is for good: your personal data becomes unreadable everywhere and your account
              cannot be restored or created again. Export your data first if you want a copy.
            </p>
            <TextField
              label={`Type ${CONFIRMATION} to confirm`}
              value={confirmation}
              onChange={setConfirmation}
              autoComplete="off"
              autoFocus
            />
            <div className="actions">
              <button
                type="submit"
                className="danger"
                disabled={confirmation !== CONFIRMATION || erase.busy}
              >
                Erase my account
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          </form>
        </div>
      ) : null}
    </Section>
  );
}

type JsonObject = { [key: string]: JsonValue };

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return isObject(value);
}

/** The whole export: the first page, with the events of the following pages appended. */
async function fetchExportMe(client: Client): Promise<JsonValue> {
  const first = await client.query(ExportMeDocument, {}).toPromise();
  if (first.error) throw first.error;
  const whole = first.data?.exportMe ?? null;
  if (!isJsonObject(whole)) return whole;
  const eventsOf = (page: JsonObject) => (Array.isArray(page["events"]) ? page["events"] : []);
  const events = [...eventsOf(whole)];
  let next = whole["next"];
  while (typeof next === "string") {
    const page = await client.query(ExportMeDocument, { after: next }).toPromise();
    if (page.error) throw page.error;
    const more = page.data?.exportMe;
    if (!isJsonObject(more)) break;
    events.push(...eventsOf(more));
    next = more["next"];
  }
  return { ...whole, events, next: null };
}

// The access checker: "may user X do Y?" (`can`: Allowed or Not allowed, and the reasons: the
// role, and the group chain it came through), and "who can do Y?" (`whoCan`, 20 a page).
import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useClient, useQuery } from "urql";
import { TextField } from "../components/fields";
import { CanDocument, WhoCanDocument, type CanQuery } from "../gql/graphql";
import { Link, userPath } from "../router";
import { queryErrorOf, type QueryError } from "./shared/errors";
import { reasonOf } from "./shared/grants";
import { Section } from "./shared/Section";
import "./shared/pages.css";
import { Pager } from "../components/Pager";

export default function AccessPage() {
  return (
    <>
      <h1>Access checker</h1>
      <Check />
      <WhoCan />
    </>
  );
}

interface Decision {
  userId: string;
  authorization: string;
  can: CanQuery["can"];
}

function Check() {
  const client = useClient();
  const [userId, setUserId] = useState("");
  const [authorization, setAuthorization] = useState("");
  const [checking, setChecking] = useState(false);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [error, setError] = useState<QueryError | null>(null);
  const ids = { userId: useId(), authorization: useId() };

  async function check(event: FormEvent) {
    event.preventDefault();
    const asked = { userId: userId.trim(), authorization: authorization.trim() };
    setChecking(true);
    setError(null);
    const result = await client.query(CanDocument, asked).toPromise();
    setChecking(false);
    if (result.data) {
      setDecision({ ...asked, can: result.data.can });
    } else {
      setDecision(null);
      setError(queryErrorOf(result.error) ?? { code: null, message: "No answer", field: null });
    }
  }

  // A refused input (BAD_USER_INPUT names it) is marked on its field, with the message.
  const invalid = (field: "userId" | "authorization") =>
    error?.field === field ? { "aria-invalid": true as const, "aria-describedby": ids[field] } : {};

  return (
    <Section title="May this user do this?">
      <form
        className="filters"
        aria-label="Check access"
        noValidate
        onSubmit={(e) => void check(e)}
      >
        <div>
          <TextField
            label="User id"
            value={userId}
            onChange={setUserId}
            required
            autoComplete="off"
            placeholder="auth0|123"
            {...invalid("userId")}
          />
          {error?.field === "userId" ? (
            <span id={ids.userId} className="field-error">
              {error.message}
            </span>
          ) : null}
        </div>
        <div>
          <TextField
            label="Authorization"
            value={authorization}
            onChange={setAuthorization}
            required
            autoComplete="off"
            placeholder="users:read"
            {...invalid("authorization")}
          />
          {error?.field === "authorization" ? (
            <span id={ids.authorization} className="field-error">
              {error.message}
            </span>
          ) : null}
        </div>
        <button
          type="submit"
          disabled={checking || userId.trim() === "" || authorization.trim() === ""}
        >
          Check
        </button>
      </form>
      <div aria-live="polite" className="decision">
        {error && error.field === null ? (
          <p role="alert">The check was refused: {error.message}</p>
        ) : null}
        {decision && !checking ? <DecisionText decision={decision} /> : null}
      </div>
    </Section>
  );
}

function DecisionText({ decision }: { decision: Decision }) {
  const { userId, authorization, can } = decision;
  if (!can.allowed) {
    return (
      <>
        <p className="verdict denied">
          <strong>Not allowed</strong>
        </p>
        <p className="muted">
          No role of <code>{userId}</code>, nor of their groups, grants “{authorization}” (or the
          user is unknown, deleted or blocked, or no authorization has that name).
        </p>
      </>
    );
  }
  return (
    <>
      <p className="verdict allowed">
        <strong>Allowed</strong>
      </p>
      <p>
        <code>{userId}</code> may do “{authorization}”:
      </p>
      <ul className="reasons" aria-label="Reasons">
        {can.via.map((grant, index) => (
          <li key={index}>{reasonOf(grant)}</li>
        ))}
      </ul>
    </>
  );
}

function WhoCan() {
  const [authorization, setAuthorization] = useState("");
  const [asked, setAsked] = useState<string | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, error, fetching }] = useQuery({
    query: WhoCanDocument,
    variables: { authorization: asked ?? "", after },
    pause: asked === null,
  });
  const users = data?.whoCan.edges.map((edge) => edge.node) ?? [];
  const pageInfo = data?.whoCan.pageInfo;
  const refused = queryErrorOf(error);

  function find(event: FormEvent) {
    event.preventDefault();
    setCursors([null]);
    setAsked(authorization.trim());
  }

  return (
    <Section title="Who can">
      <form className="filters" aria-label="Who can" noValidate onSubmit={find}>
        <TextField
          label="Authorization"
          value={authorization}
          onChange={setAuthorization}
          required
          autoComplete="off"
          placeholder="users:read"
        />
        <button type="submit" disabled={authorization.trim() === ""}>
          Find
        </button>
      </form>
      {refused ? <p role="alert">The search was refused: {refused.message}</p> : null}
      {asked !== null && !fetching && !error && users.length === 0 ? (
        <p className="muted">
          {cursors.length > 1 ? "No more users" : "Nobody"} may do “{asked}”.
        </p>
      ) : null}
      {asked !== null && users.length > 0 ? (
        <ul className="members" aria-label={`Users who can ${asked}`} aria-busy={fetching}>
          {users.map((user) => (
            <li key={user.id}>
              <Link to={userPath(user.id)}>
                {`${user.firstName} ${user.lastName}`.trim() || user.id}
              </Link>{" "}
              <span className="muted">
                {user.email} · <code>{user.id}</code>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {asked !== null && (cursors.length > 1 || pageInfo?.hasNextPage) ? (
        <Pager cursors={cursors} onCursors={setCursors} pageInfo={pageInfo}>
          <span className="muted">Page {cursors.length}</span>
        </Pager>
      ) : null}
    </Section>
  );
}

// Replay (admin): rebuild the views from the events since an instant (`replayFrom`), with the
// command's live status: QUEUED, ACCEPTED, then APPLIED once the views are rebuilt.
import { useState } from "react";
import type { FormEvent } from "react";
import { CommandProgress } from "../commands/CommandProgress";
import { useCommand } from "../commands/useCommand";
import { TextField } from "../components/fields";
import { formatTime, isoFromLocal } from "../format";
import { ReplayFromDocument } from "../gql/graphql";
import "./shared/pages.css";

export default function ReplayPage() {
  const replay = useCommand(ReplayFromDocument, (data) => data.replayFrom);
  const [from, setFrom] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const timestamp = isoFromLocal(from);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (timestamp === null) return;
    setSent(timestamp);
    await replay.run({ timestamp });
  }

  return (
    <>
      <h1>Replay</h1>
      <p>
        Rebuilds the views (what queries read) from the stored events since the instant chosen. The
        events are the source of truth and are not changed; queries show the rebuilt views once the
        replay is APPLIED.
      </p>
      <form className="filters" aria-label="Replay" noValidate onSubmit={(e) => void submit(e)}>
        <TextField
          label="From"
          field="timestamp"
          command={replay}
          type="datetime-local"
          step={1}
          value={from}
          onChange={setFrom}
          required
        />
        <button type="submit" disabled={timestamp === null || replay.busy}>
          Replay
        </button>
      </form>
      <CommandProgress
        command={replay}
        label={sent !== null ? `Replay from ${formatTime(sent)}` : undefined}
      />
    </>
  );
}

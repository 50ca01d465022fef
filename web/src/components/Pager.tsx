// Back and forth over a connection read a page at a time: `cursors` holds the `after` of each
// page read so far (null: the first), so going back needs no cursor of its own.
import type { ReactNode } from "react";

export type Cursors = (string | null)[];

interface Props {
  cursors: Cursors;
  onCursors: (cursors: Cursors) => void;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | null | undefined;
  previous?: string;
  next?: string;
  children?: ReactNode; // between the buttons: where the reader is
}

export function Pager(props: Props) {
  const { cursors, onCursors, pageInfo, previous = "Previous page", next = "Next page" } = props;
  const end = pageInfo?.hasNextPage ? pageInfo.endCursor : null;
  return (
    <div className="toolbar">
      <button
        type="button"
        className="secondary"
        disabled={cursors.length <= 1}
        onClick={() => onCursors(cursors.slice(0, -1))}
      >
        {previous}
      </button>
      {props.children}
      <button
        type="button"
        className="secondary"
        disabled={!end}
        onClick={() => end && onCursors([...cursors, end])}
      >
        {next}
      </button>
    </div>
  );
}

// The groups as a tree (role="tree", named "Groups"), each with the roles it grants. Flat
// treeitems with aria-level/-setsize/-posinset (a click lands on the group clicked, never on a
// nested one), one tab stop, and the keyboard of the WAI-ARIA tree pattern: Up/Down move,
// Right opens or goes to the first child, Left closes or goes to the parent, Home/End, and
// Enter/Space select (the arrows select too: selection follows focus). A treeitem's name is
// its text, "<group> roles: <names>" (axe wants the visible text within the name).
import { useEffect, useRef, useState } from "react";
import type { KeyboardEvent } from "react";
import { visibleItems, type TreeNode, type VisibleItem } from "./tree";

interface Props {
  roots: readonly TreeNode[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

export function GroupTree({ roots, selectedId, onSelect }: Props) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const refs = useRef(new Map<string, HTMLLIElement>());
  const moved = useRef(false);
  const items = visibleItems(roots, collapsed);
  const ids = new Set(items.map((item) => item.node.group.id));
  const tabStop =
    (focusedId !== null && ids.has(focusedId) && focusedId) ||
    (selectedId !== null && ids.has(selectedId) && selectedId) ||
    items[0]?.node.group.id;

  // Focus follows a keyboard move (and only then: a re-render must not steal the focus).
  useEffect(() => {
    if (!moved.current || focusedId === null) return;
    moved.current = false;
    refs.current.get(focusedId)?.focus();
  }, [focusedId]);

  function moveTo(id: string | undefined) {
    if (id === undefined) return;
    moved.current = true;
    setFocusedId(id);
    onSelect(id);
  }

  function setOpen(id: string, open: boolean) {
    setCollapsed((current) => {
      const next = new Set(current);
      if (open) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const index = items.findIndex((item) => item.node.group.id === tabStop);
    const item: VisibleItem | undefined = items[index];
    if (!item) return;
    const id = item.node.group.id;
    const hasChildren = item.node.children.length > 0;
    const open = hasChildren && !collapsed.has(id);
    switch (event.key) {
      case "ArrowDown":
        moveTo(items[index + 1]?.node.group.id);
        break;
      case "ArrowUp":
        moveTo(items[index - 1]?.node.group.id);
        break;
      case "Home":
        moveTo(items[0]?.node.group.id);
        break;
      case "End":
        moveTo(items[items.length - 1]?.node.group.id);
        break;
      case "ArrowRight":
        if (hasChildren && !open) setOpen(id, true);
        else if (open) moveTo(item.node.children[0]?.group.id);
        break;
      case "ArrowLeft":
        if (open) setOpen(id, false);
        else if (item.parentId !== null) moveTo(item.parentId);
        break;
      case "Enter":
      case " ":
        onSelect(id);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  if (items.length === 0) {
    return (
      <ul role="tree" aria-label="Groups" className="tree">
        <li className="muted">No groups yet.</li>
      </ul>
    );
  }

  return (
    <ul role="tree" aria-label="Groups" className="tree" onKeyDown={onKeyDown}>
      {items.map((item) => {
        const { group, children } = item.node;
        const hasChildren = children.length > 0;
        const open = hasChildren && !collapsed.has(group.id);
        return (
          <li
            key={group.id}
            ref={(element) => {
              if (element) refs.current.set(group.id, element);
              else refs.current.delete(group.id);
            }}
            role="treeitem"
            aria-level={item.level}
            aria-setsize={item.siblings}
            aria-posinset={item.position}
            aria-expanded={hasChildren ? open : undefined}
            aria-selected={group.id === selectedId}
            tabIndex={group.id === tabStop ? 0 : -1}
            className="treeitem"
            style={{ paddingLeft: `${(item.level - 1) * 1.4 + 0.3}rem` }}
            onClick={() => {
              setFocusedId(group.id);
              onSelect(group.id);
            }}
            onFocus={() => setFocusedId(group.id)}
          >
            <span
              className="twisty"
              aria-hidden="true"
              onClick={(event) => {
                if (!hasChildren) return;
                event.stopPropagation();
                setOpen(group.id, !open);
              }}
            >
              {hasChildren ? (open ? "▾" : "▸") : "·"}
            </span>
            <span className="tree-name">{group.name}</span>
            <span className="tree-roles">
              {group.roles.length > 0
                ? `roles: ${group.roles.map((role) => role.name).join(", ")}`
                : "no roles"}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

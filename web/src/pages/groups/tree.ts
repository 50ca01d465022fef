// The group tree from the flat list of groups (each names its parent): the top-level groups and
// each group's children, by name. A group whose parent is not in the list (a list cut short)
// shows at the top, so that nothing is lost.
import type { GroupNodeFragment } from "../../gql/graphql";

export interface TreeNode {
  group: GroupNodeFragment;
  children: TreeNode[];
}

export function treeOf(groups: readonly GroupNodeFragment[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>(
    groups.map((group) => [group.id, { group, children: [] }]),
  );
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.group.parent ? nodes.get(node.group.parent.id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const byName = (a: TreeNode, b: TreeNode) => a.group.name.localeCompare(b.group.name);
  const sort = (list: TreeNode[]) => {
    list.sort(byName);
    list.forEach((node) => sort(node.children));
  };
  sort(roots);
  return roots;
}

/** A treeitem as shown: its node, level (1 at the top), position among its siblings, parent. */
export interface VisibleItem {
  node: TreeNode;
  level: number;
  position: number;
  siblings: number;
  parentId: string | null;
}

/** The items shown, in order: every top-level group, and the children of the expanded ones. */
export function visibleItems(roots: readonly TreeNode[], collapsed: ReadonlySet<string>) {
  const items: VisibleItem[] = [];
  const walk = (list: readonly TreeNode[], level: number, parentId: string | null) => {
    list.forEach((node, index) => {
      items.push({ node, level, position: index + 1, siblings: list.length, parentId });
      if (!collapsed.has(node.group.id)) walk(node.children, level + 1, node.group.id);
    });
  };
  walk(roots, 1, null);
  return items;
}

// Why a user holds an authorization, in words: "via role R" for a role of their own, "via role
// R through group A › B" for one granted by group B, reached from their group A.
import type { GrantReasonFragment } from "../../gql/graphql";

export function reasonOf(grant: GrantReasonFragment): string {
  const role = `via role ${grant.role.name}`;
  if (grant.groups.length === 0) return role;
  return `${role} through group ${grant.groups.map((group) => group.name).join(" › ")}`;
}

// The input each command error's `field` names, by its label (the UI contract's map).
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  email: "Email",
  firstName: "First name",
  lastName: "Last name",
  birthDate: "Birth date",
  roleIds: "Roles",
  groupIds: "Groups",
  parentId: "Parent",
  authorizationIds: "Authorizations",
  name: "Name",
  description: "Description",
  id: "Id",
  reason: "Reason",
  until: "Until",
  timestamp: "From",
  userId: "User id",
  authorization: "Authorization",
};

export function labelOf(field: string): string {
  return FIELD_LABELS[field] ?? field;
}

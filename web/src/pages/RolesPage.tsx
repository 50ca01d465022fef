import { Placeholder } from "./Placeholder";

export default function RolesPage() {
  return <Placeholder title="Roles" />;
}

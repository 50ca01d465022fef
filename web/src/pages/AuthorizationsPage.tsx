import { Placeholder } from "./Placeholder";

export default function AuthorizationsPage() {
  return <Placeholder title="Authorizations" />;
}

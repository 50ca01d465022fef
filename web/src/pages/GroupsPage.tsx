import { Placeholder } from "./Placeholder";

export default function GroupsPage() {
  return <Placeholder title="Groups" />;
}

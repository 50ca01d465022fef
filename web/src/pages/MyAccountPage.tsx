import { Placeholder } from "./Placeholder";

export default function MyAccountPage() {
  return <Placeholder title="My account" />;
}

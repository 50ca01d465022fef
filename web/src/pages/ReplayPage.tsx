import { Placeholder } from "./Placeholder";

export default function ReplayPage() {
  return <Placeholder title="Replay" />;
}

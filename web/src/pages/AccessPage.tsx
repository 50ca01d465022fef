import { Placeholder } from "./Placeholder";

export default function AccessPage() {
  return <Placeholder title="Access checker" />;
}

// A section named by its heading (a landmark region the tests and screen readers find by name).
import { useId } from "react";
import type { ReactNode } from "react";

interface Props {
  title: ReactNode;
  children: ReactNode;
  level?: 2 | 3;
  className?: string;
}

export function Section({ title, children, level = 2, className }: Props) {
  const headingId = useId();
  const Heading = level === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby={headingId} className={className}>
      <Heading id={headingId}>{title}</Heading>
      {children}
    </section>
  );
}

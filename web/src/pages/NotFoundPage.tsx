import { Link } from "../router";

export function NotFoundPage() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        No page here. <Link to="/">Go to the start page</Link>.
      </p>
    </>
  );
}

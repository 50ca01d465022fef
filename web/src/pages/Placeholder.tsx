// A page still to build: its heading, so the navigation and the tests' landmarks hold.
export function Placeholder({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p>This page is not built yet.</p>
    </>
  );
}

// Start: load config.json, then the app; a page saying what is wrong when the config cannot be
// loaded (the app cannot know where its API is without it).
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { CONFIG_URL, loadConfig } from "./config";
import "./styles.css";

const root = createRoot(document.getElementById("root") ?? document.body);

loadConfig()
  .then((config) => {
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    root.render(<ConfigFailure message={error instanceof Error ? error.message : String(error)} />);
  });

function ConfigFailure({ message }: { message: string }) {
  return (
    <main className="config-failure">
      <h1>The console cannot start</h1>
      <p role="alert">Its configuration could not be loaded: {message}.</p>
      <p>
        The console reads <code>{CONFIG_URL}</code>, served beside it by <code>usermgmt serve</code>{" "}
        (made from its settings) or uploaded by <code>make deploy</code>. Check that the server
        serves it, then reload.
      </p>
    </main>
  );
}

// Fails (exit 1) when the committed src/gql differs from what codegen makes now from
// ../schema.graphql and src/**/*.graphql: run `npm run codegen` and commit.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fresh = mkdtempSync(join(tmpdir(), "console-codegen-"));
try {
  execFileSync("npx", ["--no-install", "graphql-codegen", "--config", "codegen.ts", "--silent"], {
    stdio: "inherit",
    env: { ...process.env, CODEGEN_OUT: fresh },
  });
  const stale = readdirSync(fresh).filter(
    (name) =>
      readFileSync(join(fresh, name), "utf8") !== readFileSync(join("src/gql", name), "utf8"),
  );
  if (stale.length > 0) {
    console.error(`src/gql is stale (${stale.join(", ")}): run \`npm run codegen\` and commit`);
    process.exit(1);
  }
  console.log("src/gql is up to date");
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

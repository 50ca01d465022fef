// The console's build (base /console/, as `usermgmt serve` and the AWS upload serve it) and a
// dev server standing in for that server: /graphql (HTTP and WebSocket) and /console/token
// proxied to a running `usermgmt serve` (USERMGMT_URL, default http://127.0.0.1:8123), and
// /console/config.json answered here for local sign-in unless the server is asked to
// (USERMGMT_CONFIG=proxy). Until the server has its own /console/token, USERMGMT_DEV_DATA=DIR
// (the server's --data) makes this dev server mint local tokens with `usermgmt token` instead.
import { execFileSync } from "node:child_process";
import { defineConfig, type Connect, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

const server = process.env.USERMGMT_URL ?? "http://127.0.0.1:8123";

function serveConfig(middlewares: Connect.Server) {
  if (process.env.USERMGMT_CONFIG === "proxy") return;
  middlewares.use("/console/config.json", (_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ apiUrl: "/graphql", wsUrl: null, auth0: null, localSignIn: true }));
  });
}

function devConfigJson(): Plugin {
  return {
    name: "usermgmt-dev-config",
    configureServer(dev) {
      serveConfig(dev.middlewares);
    },
    configurePreviewServer(preview) {
      serveConfig(preview.middlewares);
    },
  };
}

function devTokenMint(): Plugin {
  const data = process.env.USERMGMT_DEV_DATA;
  return {
    name: "usermgmt-dev-token",
    configureServer(dev) {
      mintTokens(dev.middlewares);
    },
    configurePreviewServer(preview) {
      mintTokens(preview.middlewares);
    },
  };

  function mintTokens(middlewares: Connect.Server) {
    if (!data) return;
    middlewares.use("/console/token", (req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        const asked = JSON.parse(body || "{}") as { role?: string; sub?: string };
        const args = ["token", "--data", data];
        if (asked.role === "admin") args.push("--admin");
        else args.push("--sub", asked.sub ?? "");
        const token = execFileSync("../.venv/bin/usermgmt", args, { encoding: "utf8" }).trim();
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ token }));
      });
    });
  }
}

const proxy = {
  "/graphql": { target: server, ws: true },
  ...(process.env.USERMGMT_DEV_DATA ? {} : { "/console/token": { target: server } }),
  ...(process.env.USERMGMT_CONFIG === "proxy" ? { "/console/config.json": server } : {}),
};

export default defineConfig({
  base: "/console/",
  plugins: [react(), devConfigJson(), devTokenMint()],
  build: {
    target: "es2022",
    sourcemap: false,
  },
  server: { port: 5173, strictPort: true, proxy },
  // `vite preview` serves the production build the same way (for measuring it).
  preview: { port: 4173, strictPort: true, proxy },
});

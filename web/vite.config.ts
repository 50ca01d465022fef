// The console's build (base /console/, as `usermgmt serve` and the AWS upload serve it) and a
// dev server standing in for that server: /graphql (HTTP and WebSocket) and /console/token
// proxied to a running `usermgmt serve` (USERMGMT_URL, default http://127.0.0.1:8123), and
// /console/config.json answered here for local sign-in unless the server is asked to
// (USERMGMT_CONFIG=proxy). Until the server has its own /console/token, USERMGMT_DEV_DATA=DIR
// (the server's --data) makes this dev server mint local tokens with `usermgmt token` instead.
import { execFileSync } from "node:child_process";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

const server = process.env.USERMGMT_URL ?? "http://127.0.0.1:8123";

function devConfigJson(): Plugin {
  return {
    name: "usermgmt-dev-config",
    configureServer(dev) {
      if (process.env.USERMGMT_CONFIG === "proxy") return;
      dev.middlewares.use("/console/config.json", (_req, res) => {
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ apiUrl: "/graphql", wsUrl: null, auth0: null, localSignIn: true }));
      });
    },
  };
}

function devTokenMint(): Plugin {
  const data = process.env.USERMGMT_DEV_DATA;
  return {
    name: "usermgmt-dev-token",
    configureServer(dev) {
      if (!data) return;
      dev.middlewares.use("/console/token", (req, res) => {
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
    },
  };
}

export default defineConfig({
  base: "/console/",
  plugins: [react(), devConfigJson(), devTokenMint()],
  build: {
    target: "es2022",
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/graphql": { target: server, ws: true, changeOrigin: false },
      ...(process.env.USERMGMT_DEV_DATA ? {} : { "/console/token": { target: server } }),
      ...(process.env.USERMGMT_CONFIG === "proxy" ? { "/console/config.json": server } : {}),
    },
  },
});

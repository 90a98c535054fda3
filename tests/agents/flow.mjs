// What the vendor-client flows share: the installed `@superoffice/webapi` package, an agent
// configured as its README shows (a base URL, axios `auth` for Basic credentials), and the one
// JSON line of what each step saw that the Rust tests read. Environment: TICKETD_BASE
// (http://host:port), AGENTS_NODE (the npm prefix the package is installed under).
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.AGENTS_NODE, "package.json"));
const webapi = require("@superoffice/webapi");
const seen = {};

/** The package's agent class `name`, unmodified, signed in as tje0. */
export function agentOf(name) {
  return new webapi[name](`${process.env.TICKETD_BASE}/api/`, {
    auth: { username: "tje0", password: "Tje0" },
  });
}

/** Records what `work` returns under `name`; a failure records the answer and stops the flow. */
export async function step(name, work) {
  try {
    seen[name] = await work();
  } catch (err) {
    const response = err.response;
    seen[name] = { failed: String(err.message), status: response?.status, body: response?.data };
    throw new Error(`${name}: ${err.message} ${JSON.stringify(response?.data ?? "")}`);
  }
  return seen[name];
}

/** Runs `flow`, then prints the one JSON line: `ok` and every step seen. */
export async function report(flow) {
  try {
    await flow();
    console.log(JSON.stringify({ ok: true, ...seen }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, error: String(err.message), ...seen }));
    process.exitCode = 1;
  }
}

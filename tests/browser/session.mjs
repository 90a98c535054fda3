// A browser session against ticketd in headless Chromium, from a page of ticketd's own origin:
// sign in, read the XSRF-TOKEN cookie, read and save a message, the 401s of a missing or stale
// X-XSRF-TOKEN, sign out. Prints one JSON line of results for tests/api/browser.rs to check.
//
// Environment: TICKETD_BASE (the server), BROWSER_NODE (where puppeteer-core is installed),
// CHROMIUM (the browser binary, /usr/bin/chromium by default).

import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(join(process.env.BROWSER_NODE, "package.json"));
const puppeteer = require("puppeteer-core");

const base = process.env.TICKETD_BASE;
const profile = mkdtempSync(join(tmpdir(), "ticketd-chromium-"));
// A request the browser holds back (its own sign-in dialog, which headless never answers) must
// fail the run instead of hanging it.
const REQUEST_TIMEOUT_MS = 20000;

/** The steps, run inside the page: same-origin fetches, as a single-page app makes them. */
async function session(timeoutMs) {
  async function call(method, path, headers = {}, body) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(path, { method, headers, body, signal: abort.signal });
      const text = await response.text();
      return {
        status: response.status,
        wwwAuthenticate: response.headers.get("www-authenticate"),
        contentType: response.headers.get("content-type"),
        text,
      };
    } catch (error) {
      return { status: 0, error: abort.signal.aborted ? "timeout" : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
  const readCookie = (name) =>
    document.cookie.split("; ").map((pair) => pair.split("=")).find(([key]) => key === name)?.[1] ?? null;
  const json = { "Content-Type": "application/json", Accept: "application/json" };
  const results = {};

  results.login = await call("POST", "/api/v1/session", json, JSON.stringify({ Username: "tje0", Password: "Tje0" }));
  const xsrf = readCookie("XSRF-TOKEN");
  results.xsrfCookie = xsrf !== null && xsrf.length > 0;
  results.sessionCookieHidden = readCookie("ticketd_session") === null;

  const message = "/api/v1/TicketMessage/1";
  results.get = await call("GET", message, { Accept: "application/json", "X-XSRF-TOKEN": xsrf });
  const entity = JSON.parse(results.get.text || "{}");
  entity.Body = "Saved from a browser session";
  results.save = await call("PUT", message, { ...json, "X-XSRF-TOKEN": xsrf }, JSON.stringify(entity));
  results.savedBody = JSON.parse(results.save.text || "{}").Body ?? null;

  results.missingHeader = await call("PUT", message, json, JSON.stringify(entity));
  results.staleHeader = await call("PUT", message, { ...json, "X-XSRF-TOKEN": "stale" }, JSON.stringify(entity));

  results.logout = await call("DELETE", "/api/v1/session", { "X-XSRF-TOKEN": xsrf });
  results.cookiesAfterLogout = document.cookie;
  // The page still holds the token it read; its next request is refused and handed to it.
  results.afterLogout = await call("GET", message, { Accept: "application/json", "X-XSRF-TOKEN": xsrf });
  for (const step of Object.values(results)) {
    if (step && typeof step === "object" && step.text && step.text.length > 300) step.text = step.text.slice(0, 300);
  }
  return results;
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ],
});
try {
  const page = await browser.newPage();
  // Any page of ticketd's origin will do: the fetches below are then same-origin.
  const landing = await page.goto(`${base}/health`, { waitUntil: "load" });
  const results = await page.evaluate(session, REQUEST_TIMEOUT_MS);
  results.landing = landing ? landing.status() : 0;
  process.stdout.write(JSON.stringify(results) + "\n");
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

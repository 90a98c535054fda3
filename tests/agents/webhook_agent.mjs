// Drives ticketd's Agents API with the vendor's own npm client, unmodified: its `WebhookAgent`
// class, configured as its README shows (a base URL, axios `auth` for Basic credentials).
// Prints one JSON line with what each step saw; the Rust test
// (tests/api/webhooks_vendor/client.rs) checks it. Environment: TICKETD_BASE (http://host:port),
// AGENTS_NODE (the npm prefix the package is installed under), RECEIVER_URL (a receiver that
// answers 200).
import { agentOf, report, step } from "./flow.mjs";

const agent = agentOf("WebhookAgent");

await report(async () => {
  const fresh = await step("createDefault", async () => {
    const hook = await agent.createDefaultWebhookAsync();
    return { webhookId: hook.webhookId, state: hook.state, type: hook.type, hook };
  });
  const hook = fresh.hook;
  delete fresh.hook;
  hook.name = "npm partner";
  hook.events = ["ticketmessage.*"];
  hook.targetUrl = process.env.RECEIVER_URL;
  hook.secret = "npm-secret";
  const saved = await step("save", async () => {
    const stored = await agent.saveWebhookAsync(hook);
    return { id: stored.webhookId, name: stored.name, secret: stored.secret ?? null, state: stored.state };
  });
  const id = saved.id;
  await step("get", async () => {
    const got = await agent.getWebhookAsync(id);
    return { id: got.webhookId, name: got.name, events: got.events, targetUrl: got.targetUrl };
  });
  await step("list", async () => {
    const all = await agent.getAllWebhooksAsync("npm", "", "Unknown");
    return { ids: all.map((h) => h.webhookId) };
  });
  await step("test", async () => {
    const got = await agent.getWebhookAsync(id);
    got.secret = "npm-secret";
    const result = await agent.testWebhookAsync(got);
    return { success: result.success };
  });
  await step("delete", async () => {
    await agent.deleteWebhookAsync(id);
    const gone = await agent.getWebhookAsync(id);
    return { afterwards: gone };
  });
});

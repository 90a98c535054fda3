// Drives ticketd's Agents API with the vendor's own npm client, unmodified: its `TicketAgent`
// class, configured as its README shows (a base URL, axios `auth` for Basic credentials).
// Prints one JSON line with what each step saw; the Rust test (tests/api/agents_client.rs)
// checks it. Environment: TICKETD_BASE (http://host:port), AGENTS_NODE (the npm prefix the
// package is installed under), TICKET_ID (the ticket to write to).
import { agentOf, report, step } from "./flow.mjs";

const agent = agentOf("TicketAgent");
const ticketId = Number(process.env.TICKET_ID);

await report(async () => {
  const fresh = await step("createDefault", async () => {
    const entity = await agent.createDefaultTicketMessageEntityAsync();
    return { ejMessageId: entity.ejMessageId, slevel: entity.slevel, author: entity.author, entity };
  });
  const entity = fresh.entity;
  delete fresh.entity;
  entity.ticket = { ticketId };
  entity.body = "Written by the vendor's TicketAgent";
  const created = await step("saveCreate", async () => {
    const saved = await agent.saveTicketMessageEntityAsync(entity);
    return { id: saved.ejMessageId, body: saved.body, ticketId: saved.ticket?.ticketId, saved };
  });
  const saved = created.saved;
  delete created.saved;
  const id = created.id;
  saved.body = "Updated by the vendor's TicketAgent";
  await step("saveUpdate", async () => {
    const again = await agent.saveTicketMessageEntityAsync(saved);
    return { id: again.ejMessageId, body: again.body };
  });
  await step("get", async () => {
    const got = await agent.getTicketMessageEntityAsync(id);
    return { id: got.ejMessageId, body: got.body, important: got.important };
  });
  await step("setImportant", async () => {
    await agent.setTicketMessageImportantAsync(id, true);
    const got = await agent.getTicketMessageEntityAsync(id);
    return { important: got.important };
  });
  await step("saveWithNotify", async () => {
    const got = await agent.getTicketMessageEntityAsync(id);
    got.body = "Saved with notify by the vendor's TicketAgent";
    const again = await agent.saveTicketMessageEntityWithNotifyAsync(got, true);
    return { id: again.ejMessageId, body: again.body, important: again.important };
  });
  await step("list", async () => {
    const listed = await agent.getTicketMessageEntitiesAsync(ticketId, [id]);
    const all = await agent.getTicketMessageEntitiesAsync(ticketId, []);
    return { listed: listed.map((m) => m.ejMessageId), all: all.map((m) => m.ejMessageId) };
  });
  await step("summary", async () => {
    const summary = await agent.getTicketMessageAsync(id);
    return { id: summary.ticketMessageId, important: summary.important, createdBy: summary.createdBy };
  });
  await step("delete", async () => {
    await agent.deleteTicketMessageEntityAsync(id);
    const gone = await agent.getTicketMessageEntityAsync(id);
    return { afterwards: gone };
  });
});

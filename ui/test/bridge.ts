// The screen tests' way to the real Till: the development bridge started by test/setup/bridge.ts, reached with
// Node's own HTTP client (happy-dom's fetch would apply a page's cross-origin rules to a loopback tool).
import { request } from "node:http";
import { inject } from "vitest";
import { bridgeReply, type TillTransport } from "../src/api";
import type { Command, CustomerView, TillEvent } from "../src/bindings";

const BASE = inject("bridge");

function http(method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: text === "" ? null : JSON.parse(text) });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** A fresh till (new journal, new sandbox); resolves to the sandbox's base URL. */
export async function resetTill(): Promise<string> {
  const r = await http("POST", `${BASE}/_bridge/reset`);
  const sandbox = (r.json as { sandbox: string | null }).sandbox;
  if (r.status !== 200 || !sandbox) throw new Error(`bridge reset: ${JSON.stringify(r.json)}`);
  return sandbox;
}

/** What the customer display shows now, as the bridge gives it. */
export async function customerNow(): Promise<CustomerView> {
  const r = await http("GET", `${BASE}/_bridge/customer`);
  if (r.status !== 200) throw new Error(`the customer view: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as CustomerView;
}

/** The customer presses 确认支付 on the page a QR code opens (it answers with a page, not JSON). */
export function customerPays(codeUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(codeUrl, { method: "POST" }, (res) => {
      res.resume();
      res.on("end", () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`${codeUrl}: ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A POST to the sandbox itself: the customer page (`code_url`) or its fault injection. */
export async function sandboxPost(url: string, body?: unknown): Promise<unknown> {
  const r = await http("POST", url, body);
  if (r.status >= 300) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A DELETE to the sandbox itself: its faults cleared. */
export async function sandboxDelete(url: string): Promise<void> {
  const r = await http("DELETE", url);
  if (r.status >= 300) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.json)}`);
}

/** The bridge as a transport: commands over HTTP, events server-sent. `close()` ends the event streams. */
export function bridgeTransport(): TillTransport & { close(): void } {
  const streams = new Set<() => void>();
  return {
    async run(command: Command) {
      const r = await http("POST", `${BASE}/till`, command);
      if (r.status !== 200) throw new Error(`the bridge answered ${r.status}: ${JSON.stringify(r.json)}`);
      return bridgeReply(r.json);
    },
    listen(handler: (e: TillEvent) => void) {
      return new Promise((resolve, reject) => {
        const req = request(`${BASE}/events`, (res) => {
          let buf = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buf += chunk;
            for (let end = buf.indexOf("\n\n"); end >= 0; end = buf.indexOf("\n\n")) {
              const block = buf.slice(0, end);
              buf = buf.slice(end + 2);
              const data = block
                .split("\n")
                .filter((l) => l.startsWith("data:"))
                .map((l) => l.slice(5).trimStart())
                .join("\n");
              if (block.includes("event: till") && data !== "") handler(JSON.parse(data) as TillEvent);
            }
          });
          const close = () => req.destroy();
          streams.add(close);
          resolve(() => {
            streams.delete(close);
            close();
          });
        });
        req.on("error", (e) => {
          if (!req.destroyed) reject(e);
        });
        req.end();
      });
    },
    close() {
      for (const close of streams) close();
      streams.clear();
    },
  };
}

// Waiting for a local server (vite preview, the bridge) to open its port: the screenshot scripts'
// one way to know the page can be loaded.
import { createConnection } from "node:net";

/** Resolves once 127.0.0.1:`port` accepts a connection; rejects after `ms`. */
export function waitPort(port, ms) {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = createConnection(port, "127.0.0.1");
      s.once("connect", () => {
        s.end();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`port ${port} not open`));
        else setTimeout(tryOnce, 100);
      });
    };
    tryOnce();
  });
}

/** Starts the development bridge (scripts/bridge.mjs); resolves to its base URL and a function that stops it. */
export function startBridge(): Promise<{ url: string; stop: () => void }>;

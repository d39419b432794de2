// DEV AID ONLY: a QR-looking picture (finder squares and hashed modules) so the QR screen can be laid
// out and screenshotted. It is not a readable QR code; the real one is rendered by the Rust core.
const N = 29;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function finder(x: number, y: number): string {
  return `M${x} ${y}h7v7h-7zM${x + 1} ${y + 1}v5h5v-5zM${x + 2} ${y + 2}h3v3h-3z`;
}

export function fakeQrSvg(text: string): string {
  let seed = hash(text);
  const cells: string[] = [];
  const inFinder = (x: number, y: number) => (x < 8 && y < 8) || (x > N - 9 && y < 8) || (x < 8 && y > N - 9);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      seed = Math.imul(seed ^ (seed >>> 15), 2246822507) >>> 0;
      if (!inFinder(x, y) && (seed & 3) < 2) cells.push(`M${x + 2} ${y + 2}h1v1h-1z`);
    }
  }
  const d = [finder(2, 2), finder(N - 5, 2), finder(2, N - 5), ...cells].join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${N + 4} ${N + 4}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" fill-rule="evenodd" d="${d}"/></svg>`;
}
